package uplink

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/spool"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// numbering is an IngestService that keeps the collector's rule for
// batch numbers: a digest seen before is a duplicate, a number committed
// with another digest a conflict carrying the next free number.
type numbering struct {
	pb.UnimplementedIngestServiceServer
	mu      sync.Mutex        // guards the fields below
	byseq   map[uint64]string // committed seq → digest
	digests map[string]bool
	highest uint64
}

func (g *numbering) Stream(stream pb.IngestService_StreamServer) error { return answer(stream, g.take) }

func (g *numbering) take(b *pb.Batch) (*pb.Ack, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d, seq := string(b.GetDigest()), b.GetSeq()
	switch stored, taken := g.byseq[seq]; {
	case g.digests[d]:
		return &pb.Ack{Seq: seq, Duplicate: true}, nil
	case taken && stored != d:
		return &pb.Ack{Seq: seq, Conflict: true, NextSeq: g.highest + 1}, nil
	}
	g.byseq[seq], g.digests[d] = d, true
	g.highest = max(g.highest, seq)
	return &pb.Ack{Seq: seq}, nil
}

// TestRestoredNumbering: the agent's numbering went back (a restored
// state dir) to numbers the collector committed with other sightings.
// Those batches, several in flight at once, are renumbered and all
// arrive; none is deleted as a duplicate, and later numbers are new.
func TestRestoredNumbering(t *testing.T) {
	g := &numbering{byseq: map[uint64]string{}, digests: map[string]bool{}}
	for seq := uint64(1); seq <= 5; seq++ { // the run before the restore
		g.byseq[seq], g.digests[string(rune('A'+seq))] = string(rune('A'+seq)), true
		g.highest = seq
	}
	conn := serve(t, g)
	dir := t.TempDir()
	sp, err := spool.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { sp.Close() }() // sp is opened again below
	for _, d := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		sp.Append(batch(d + ".openai.com"))
	}
	var log bytes.Buffer
	s := &Sender{Conn: conn, Addr: "bufconn", Spool: sp, Log: slog.New(slog.NewTextHandler(&log, nil)), Window: 8, MaxBackoff: 10 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Run(ctx, true); err != nil {
		t.Fatalf("Run: %v", err)
	}
	g.mu.Lock()
	if len(g.digests) != 5+7 {
		t.Errorf("the collector holds %d batches, want the 5 from before and all 7 new ones", len(g.digests))
	}
	highest := g.highest
	g.mu.Unlock()
	if c := s.Counters(); c["seq_conflicts"] != 5 || c["batches_duplicate"] != 0 || c["batches_acked"] != 7 {
		t.Errorf("counters %v, want 5 conflicts, 7 acknowledged, no duplicates", c)
	}
	if strings.Count(log.String(), "restored from a backup") != 1 {
		t.Errorf("want one log line about a restored state dir:\n%s", &log)
	}
	sp.Close()
	if sp, err = spool.Open(dir, 0); err != nil {
		t.Fatal(err)
	}
	if seq, _ := sp.Append(batch("h.openai.com")); seq <= highest {
		t.Errorf("after a restart the next number is %d, not above the collector's %d", seq, highest)
	}
}
