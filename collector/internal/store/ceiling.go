package store

import (
	"context"
	"fmt"
	"time"
)

// RawInsert is the measuring stick for ingest: it inserts xs into the
// sightings table of the (fresh) database at path with the same prepared
// multi-row statements as ingest, groupMaxSightings rows per transaction,
// and does nothing else: no idempotency record, no rollups, no network.
func RawInsert(path string, xs []Sighting) (time.Duration, error) {
	s, err := Open(path)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ctx := context.Background()
	start := time.Now()
	for len(xs) > 0 {
		n := min(len(xs), groupMaxSightings)
		if err := s.rawGroup(ctx, xs[:n]); err != nil {
			return 0, err
		}
		xs = xs[n:]
	}
	return time.Since(start), nil
}

func (s *Store) rawGroup(ctx context.Context, xs []Sighting) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := newInserter(ctx, tx)
	if err != nil {
		return err
	}
	defer ins.close()
	if err := ins.insert(ctx, "agt-raw", xs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing raw inserts: %w", err)
	}
	return nil
}
