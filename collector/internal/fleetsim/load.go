package fleetsim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// Enroll records every host's agent in the store.
func (f *Fleet) Enroll(ctx context.Context, st *store.Store) error {
	for _, h := range f.Hosts {
		hash := sha256.Sum256([]byte(h.AgentID))
		if err := st.CreateToken(ctx, hash, time.Now().Add(time.Hour)); err != nil {
			return err
		}
		a := store.Agent{ID: h.AgentID, HostID: h.ID, Hostname: h.Name, OS: "linux", Version: "sim"}
		if err := st.Enroll(ctx, hash, a); err != nil {
			return fmt.Errorf("enrolling %s: %w", h.AgentID, err)
		}
	}
	return nil
}

// Ingest sends every host's sightings of every day through the store's
// ingest path, one batch per host and week, many batches in flight. It
// returns the number of sightings.
func (f *Fleet) Ingest(ctx context.Context, st *store.Store, perHost int) (int, error) {
	total := 0
	var pending []*store.Pending
	for d := 0; d < f.Days; d += 7 {
		for h := range f.Hosts {
			b := store.Batch{AgentID: f.Hosts[h].AgentID, Seq: uint64(d + 1)}
			for day := d; day < min(d+7, f.Days); day++ {
				f.Day(h, day, perHost, func(x store.Sighting) { b.Sightings = append(b.Sightings, x) })
			}
			if len(b.Sightings) == 0 {
				continue
			}
			p, err := st.IngestAsync(ctx, b)
			if err != nil {
				return total, err
			}
			total += len(b.Sightings)
			if pending = append(pending, p); len(pending) >= 1024 {
				if err := wait(pending); err != nil {
					return total, err
				}
				pending = pending[:0]
			}
		}
	}
	return total, wait(pending)
}

func wait(ps []*store.Pending) error {
	for _, p := range ps {
		if _, err := p.Wait(); err != nil {
			return err
		}
	}
	return nil
}
