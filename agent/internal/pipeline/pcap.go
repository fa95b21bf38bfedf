package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"

	"github.com/shadowai/shadowai/agent/internal/netsensor"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/uplink"
)

// PcapResult summarises `run --pcap`.
type PcapResult struct {
	Stats          netsensor.Stats
	AIObservations uint64
	Sightings      int
	// Skipped is set when the file was already ingested and not read again.
	Skipped bool
}

// RunPcap reads a capture file instead of live sensors, spools its
// sightings and streams them until every one is acknowledged or ctx ends.
// A file already spooled is not read twice unless force is set, so
// re-running after an outage or a crash never counts the same traffic
// twice: the capture's digest is recorded atomically with its batches.
// wait bounds only the time spent reaching the collector, not reading.
func RunPcap(ctx context.Context, o Options, path string, force bool, wait time.Duration) (PcapResult, error) {
	var res PcapResult
	a, err := open(o)
	if err != nil {
		return res, err
	}
	defer a.spool.Close()
	sum, err := fileDigest(path)
	if err != nil {
		return res, err
	}
	readErr := error(nil)
	if a.spool.Marked(sum) && !force {
		res.Skipped = true
		o.Log.Info("capture already spooled; sending only what is still spooled (use --force to read it again)", "file", path)
	} else {
		res, readErr = a.readPcap(path)
		batches, n := a.flushAll()
		res.Sightings = n
		// A forced re-read gets a mark of its own: reusing the digest's
		// would let a crash mid-group commit half of it.
		mark := sum
		if force {
			mark = fmt.Sprintf("%s-%d", sum, time.Now().UnixNano())
		}
		if err := a.spool.AppendGroup(batches, mark); err != nil {
			return res, err
		}
		if !a.spool.Marked(sum) {
			if err := a.spool.AppendGroup(nil, sum); err != nil {
				return res, err
			}
		}
	}
	conn, err := uplink.Dial(a.state, a.cfg.Uplink.Compression)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	s := a.sender(conn)
	s.MaxBackoff = min(s.MaxBackoff, 5*time.Second)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := s.Run(ctx, true); err != nil {
		return res, fmt.Errorf("%w; they are kept in %s and sent by the next run", err, filepath.Join(a.cfg.StateDir, "spool"))
	}
	return res, readErr
}

func (a *agent) sender(conn *grpc.ClientConn) *uplink.Sender {
	return &uplink.Sender{
		Conn: conn, Addr: a.state.Enrollment.Collector, Spool: a.spool, Log: a.opts.Log,
		Window: a.cfg.Uplink.Window, MaxBackoff: a.cfg.Uplink.MaxBackoff, RateBytes: int(a.cfg.Uplink.RateBytes),
	}
}

func (a *agent) readPcap(path string) (PcapResult, error) {
	var res PcapResult
	stats, err := netsensor.ReadFile(path, a.catalog, func(obs *observe.Observation) {
		if a.observe(obs) && obs.Service != nil {
			res.AIObservations++
		}
	})
	res.Stats = stats
	if err != nil {
		err = fmt.Errorf("%w; the %d packets before that were processed", err, stats.Packets)
	}
	return res, err
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
