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
	Sightings, Rollups, Blocks, DaySets, Usage, Batches int64
	// Hosts and Users are numbers nothing retained refers to any more.
	Hosts, Users int64
}

// Prune deletes raw sightings received before rawBefore's UTC day;
// rollups, day blocks, day sets and usage of the days before
// rollupBefore's UTC day; batch records older than rollupBefore; and then
// the host and user numbers no usage row names (every day block and day
// set still kept is covered by a usage row, which ends on its day or
// later).
func (s *Store) Prune(ctx context.Context, rawBefore, rollupBefore time.Time) (Pruned, error) {
	var p Pruned
	firstKept, err := s.firstIDOf(ctx, DayOf(rawBefore))
	if err != nil {
		return p, err
	}
	keepDay := DayOf(rollupBefore)
	steps := []struct {
		n     *int64
		query string
		arg   int64
	}{
		{&p.Sightings, "DELETE FROM sightings WHERE id IN (SELECT id FROM sightings WHERE id < ? ORDER BY id LIMIT ?)", firstKept},
		{&p.Rollups, "DELETE FROM rollups WHERE (day, service, host_id, user, source) IN (SELECT day, service, host_id, user, source FROM rollups WHERE day < ? LIMIT ?)", int64(keepDay)},
		{&p.Blocks, "DELETE FROM day_blocks WHERE (day, service, block) IN (SELECT day, service, block FROM day_blocks WHERE day < ? LIMIT ?)", int64(keepDay)},
		{&p.DaySets, "DELETE FROM day_sets WHERE (day, service) IN (SELECT day, service FROM day_sets WHERE day < ? LIMIT ?)", int64(keepDay)},
		// By the day, as the rollups: a usage row goes with the last
		// rollup it covers.
		{&p.Usage, "DELETE FROM usage WHERE (service, host_id, user) IN (SELECT service, host_id, user FROM usage WHERE last_seen < ? LIMIT ?)", keepDay.Time().UnixNano()},
		{&p.Batches, "DELETE FROM batches WHERE (agent_id, seq) IN (SELECT agent_id, seq FROM batches WHERE received_at < ? LIMIT ?)", rollupBefore.UnixNano()},
		{&p.Hosts, "DELETE FROM hosts WHERE n IN (SELECT n FROM hosts h WHERE n > ? AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.host_id = h.host_id) LIMIT ?)", 0},
		{&p.Users, "DELETE FROM users WHERE n IN (SELECT n FROM users x WHERE n > ? AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.user = x.name) LIMIT ?)", 0},
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
