package store

import (
	"context"
	"fmt"
	"time"
)

// pruneChunk rows are deleted per transaction, so ingest waits at most one
// short delete for the write lock.
const pruneChunk = 5000

// Pruned counts what a retention pass deleted.
type Pruned struct {
	Sightings, Rollups, Pairs, DaySets, Usage, Batches int64
}

// Prune deletes raw sightings received before rawBefore's UTC day, and
// rollups, usage and batch records older than rollupBefore.
func (s *Store) Prune(ctx context.Context, rawBefore, rollupBefore time.Time) (Pruned, error) {
	var p Pruned
	firstKept, err := s.firstIDOf(ctx, DayOf(rawBefore))
	if err != nil {
		return p, err
	}
	steps := []struct {
		n     *int64
		query string
		arg   int64
	}{
		{&p.Sightings, "DELETE FROM sightings WHERE id IN (SELECT id FROM sightings WHERE id < ? ORDER BY id LIMIT ?)", firstKept},
		{&p.Rollups, "DELETE FROM rollups WHERE (day, service, host_id, user, source) IN (SELECT day, service, host_id, user, source FROM rollups WHERE day < ? LIMIT ?)", int64(DayOf(rollupBefore))},
		{&p.Pairs, "DELETE FROM pairs WHERE (day, service, host_id, user) IN (SELECT day, service, host_id, user FROM pairs WHERE day < ? LIMIT ?)", int64(DayOf(rollupBefore))},
		{&p.DaySets, "DELETE FROM day_sets WHERE (day, service) IN (SELECT day, service FROM day_sets WHERE day < ? LIMIT ?)", int64(DayOf(rollupBefore))},
		{&p.Usage, "DELETE FROM usage WHERE (service, host_id, user) IN (SELECT service, host_id, user FROM usage WHERE last_seen < ? LIMIT ?)", rollupBefore.UnixNano()},
		{&p.Batches, "DELETE FROM batches WHERE (agent_id, seq) IN (SELECT agent_id, seq FROM batches WHERE received_at < ? LIMIT ?)", rollupBefore.UnixNano()},
	}
	for _, st := range steps {
		if *st.n, err = s.deleteChunked(ctx, st.query, st.arg); err != nil {
			return p, err
		}
	}
	if _, err := s.w.ExecContext(ctx, "DELETE FROM sighting_days WHERE day < ?", int64(DayOf(rawBefore))); err != nil {
		return p, fmt.Errorf("applying retention: %w", err)
	}
	return p, nil
}

// firstIDOf is the first sighting id received on day or later; every id
// below it was received before day.
func (s *Store) firstIDOf(ctx context.Context, day Day) (int64, error) {
	var id int64
	err := s.w.QueryRowContext(ctx, `SELECT COALESCE((SELECT first_id FROM sighting_days WHERE day >= ? ORDER BY day LIMIT 1),
		(SELECT COALESCE(MAX(id), 0) + 1 FROM sightings))`, int64(day)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("finding sightings to keep: %w", err)
	}
	return id, nil
}

func (s *Store) deleteChunked(ctx context.Context, query string, arg int64) (int64, error) {
	var total int64
	for {
		res, err := s.w.ExecContext(ctx, query, arg, pruneChunk)
		if err != nil {
			return total, fmt.Errorf("applying retention: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < pruneChunk {
			return total, nil
		}
	}
}

// Backup writes a consistent copy of the database to path while the
// collector keeps running (VACUUM INTO reads one snapshot).
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := s.r.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backing up the database to %s: %w", path, err)
	}
	return nil
}

// Size is the database's size in bytes (pages in use times page size).
func (s *Store) Size(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reading database size: %w", err)
	}
	return n, nil
}
