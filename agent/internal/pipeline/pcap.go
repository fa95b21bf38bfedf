package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2/maybe"

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
// A file already ingested is not read twice unless force is set, so
// re-running after an outage never counts the same traffic twice.
func RunPcap(ctx context.Context, o Options, path string, force bool) (PcapResult, error) {
	var res PcapResult
	a, err := open(o)
	if err != nil {
		return res, err
	}
	sum, err := fileDigest(path)
	if err != nil {
		return res, err
	}
	marker := filepath.Join(o.StateDir, "ingested", sum)
	_, statErr := os.Stat(marker)
	readErr := error(nil)
	if statErr == nil && !force {
		res.Skipped = true
		o.Log.Info("capture already ingested; sending only what is still spooled (use --force to read it again)", "file", path)
	} else {
		res, readErr = a.readPcap(path)
		if res.Sightings, err = a.spoolClosed(time.Time{}, true); err != nil {
			return res, err
		}
		if err := markIngested(marker, path); err != nil {
			return res, err
		}
	}
	conn, err := uplink.Dial(a.state)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	s := &uplink.Sender{Conn: conn, Addr: a.state.Enrollment.Collector, Spool: a.spool, Log: o.Log, Window: 8, MaxBackoff: 5 * time.Second}
	if err := s.Run(ctx, true); err != nil {
		return res, fmt.Errorf("%w; they are kept in %s and sent by the next run", err, filepath.Join(o.StateDir, "spool"))
	}
	return res, readErr
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

func markIngested(marker, path string) error {
	if err := os.MkdirAll(filepath.Dir(marker), 0o700); err != nil {
		return fmt.Errorf("recording ingested capture: %w", err)
	}
	abs, _ := filepath.Abs(path)
	err := maybe.WriteFile(marker, []byte(abs+"\n"+time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("recording ingested capture: %w", err)
	}
	return nil
}
