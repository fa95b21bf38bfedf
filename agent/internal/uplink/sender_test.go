package uplink

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/shadowai/shadowai/agent/internal/spool"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// ingest is an in-process IngestService that commits every batch except
// those with a sighting whose domain is "bad", which it refuses as the
// collector refuses invalid batches (InvalidArgument, stream ended).
type ingest struct {
	pb.UnimplementedIngestServiceServer
	mu        sync.Mutex // guards committed, dropped
	committed []uint64
	dropped   uint64
}

func (g *ingest) Stream(stream pb.IngestService_StreamServer) error { return answer(stream, g.take) }

func (g *ingest) take(b *pb.Batch) (*pb.Ack, error) {
	for _, s := range b.GetSightings() {
		if s.GetDomain() == "bad" {
			return nil, status.Errorf(codes.InvalidArgument, "batch %d, sighting 0: domain is bad", b.GetSeq())
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.committed = append(g.committed, b.GetSeq())
	g.dropped += b.GetDroppedSightings()
	return &pb.Ack{Seq: b.GetSeq()}, nil
}

// answer serves a fake collector's stream: each batch gets the ack take
// gives it, or the stream ends with take's error.
func answer(stream pb.IngestService_StreamServer, take func(*pb.Batch) (*pb.Ack, error)) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		ack, err := take(req.GetBatch())
		if err != nil {
			return err
		}
		if err := stream.Send(&pb.StreamResponse{Ack: ack}); err != nil {
			return err
		}
	}
}

func serve(t *testing.T, g pb.IngestServiceServer) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pb.RegisterIngestServiceServer(srv, g)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func batch(domains ...string) *pb.Batch {
	b := &pb.Batch{}
	for _, d := range domains {
		b.Sightings = append(b.Sightings, &pb.Sighting{Count: 1, Source: "dns", Domain: d})
	}
	return b
}

// TestRefusedBatchSetAside: one batch the collector refuses does not block
// the ones behind it; it is set aside and its sightings reach the
// collector as dropped.
func TestRefusedBatchSetAside(t *testing.T) {
	g := &ingest{}
	conn := serve(t, g)
	sp, err := spool.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	sp.Append(batch("a.openai.com"))
	sp.Append(batch("bad", "b.openai.com"))
	sp.Append(batch("c.openai.com"))
	s := &Sender{Conn: conn, Addr: "bufconn", Spool: sp, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Window: 8, MaxBackoff: 10 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Run(ctx, true); err != nil {
		t.Fatalf("Run: %v", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.committed) != 3 || g.dropped != 2 {
		t.Errorf("committed %v with %d dropped; want batches 1, 3 and a carrier of the 2 refused sightings", g.committed, g.dropped)
	}
	if s.Counters()["batches_refused"] != 1 {
		t.Errorf("counters = %v", s.Counters())
	}
	if p := sp.Problems(); len(p) != 1 || !strings.Contains(p[0], "refused by the collector") {
		t.Errorf("problems = %q", p)
	}
}

// refusing ends every stream at once as invalid, before any batch.
type refusing struct {
	pb.UnimplementedIngestServiceServer
	mu      sync.Mutex // guards streams
	streams int
}

func (g *refusing) Stream(pb.IngestService_StreamServer) error {
	g.mu.Lock()
	g.streams++
	g.mu.Unlock()
	return status.Error(codes.InvalidArgument, "refused")
}

// TestRefusalWithoutBatchBacksOff: a refusal that names no batch (none
// was in flight) is not a batch to set aside: the sender does not
// reconnect at once, in a loop.
func TestRefusalWithoutBatchBacksOff(t *testing.T) {
	g := &refusing{}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pb.RegisterIngestServiceServer(srv, g)
	go srv.Serve(lis)
	defer srv.Stop()
	conn, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sp, err := spool.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	s := &Sender{Conn: conn, Addr: "bufconn", Spool: sp, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBackoff: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx, false); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Run: %v, want the refusal", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.streams > 3 {
		t.Errorf("%d streams opened in half a second", g.streams)
	}
}
