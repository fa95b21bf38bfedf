package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed says the store was closed before a batch could be committed.
var ErrClosed = errors.New("the collector database is closing; the agent keeps the batch and retries")

// Group commit limits: one transaction takes every batch waiting, up to
// this many sightings, so a thousand streams share one fsync.
const (
	groupMaxSightings = 50000
	queueLen          = 4096
)

// Pending is a batch or a heartbeat handed to the writer; Wait returns
// once it is committed (or refused).
type Pending struct {
	batch Batch
	beat  *heartbeat // set for a heartbeat, which has no batch
	done  chan struct{}
	res   Result
	err   error
}

// rows is what p weighs against groupMaxSightings.
func (p *Pending) rows() int { return max(1, len(p.batch.Sightings)) }

// Wait blocks until the batch's transaction is committed or failed. Only
// after it returns nil may the batch be acknowledged.
func (p *Pending) Wait() (Result, error) {
	<-p.done
	return p.res, p.err
}

// Done is closed when Wait would return without blocking.
func (p *Pending) Done() <-chan struct{} { return p.done }

// groupWriter owns batch ingest: a single goroutine commits many batches
// per transaction and then releases their results.
type groupWriter struct {
	db   *sql.DB
	jobs chan *Pending
	mu   sync.RWMutex // guards closed; held shared while sending on jobs
	// closed is set, under mu, before jobs is closed.
	closed bool
	exited chan struct{}
	stats  WriterStats
}

// WriterStats are cumulative counters of the group writer, read by metrics.
type WriterStats struct {
	Commits      atomic.Uint64
	Batches      atomic.Uint64
	Heartbeats   atomic.Uint64
	Duplicates   atomic.Uint64
	Conflicts    atomic.Uint64
	Sightings    atomic.Uint64
	Failed       atomic.Uint64
	CommitNanos  atomic.Uint64
	QueuedNow    atomic.Int64
	LastGroupLen atomic.Int64
}

func newGroupWriter(db *sql.DB) *groupWriter {
	w := &groupWriter{db: db, jobs: make(chan *Pending, queueLen), exited: make(chan struct{})}
	go w.run()
	return w
}

func (w *groupWriter) submit(ctx context.Context, p *Pending) (*Pending, error) {
	p.done = make(chan struct{})
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return nil, ErrClosed
	}
	w.stats.QueuedNow.Add(1)
	select {
	case w.jobs <- p:
		return p, nil
	case <-ctx.Done():
		w.stats.QueuedNow.Add(-1)
		return nil, ctx.Err()
	}
}

// close commits everything already submitted, then stops the writer.
func (w *groupWriter) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.jobs)
	}
	w.mu.Unlock()
	<-w.exited
}

func (w *groupWriter) run() {
	defer close(w.exited)
	group := make([]*Pending, 0, 256)
	for first := range w.jobs {
		group = append(group[:0], first)
		rows := first.rows()
	fill:
		for rows < groupMaxSightings {
			select {
			case p, ok := <-w.jobs:
				if !ok {
					break fill
				}
				group = append(group, p)
				rows += p.rows()
			default:
				break fill
			}
		}
		w.commit(group)
	}
}

func (w *groupWriter) commit(group []*Pending) {
	start := time.Now()
	err := w.commitGroup(context.Background(), group)
	w.stats.CommitNanos.Add(uint64(time.Since(start)))
	w.stats.Commits.Add(1)
	w.stats.LastGroupLen.Store(int64(len(group)))
	for _, p := range group {
		if err != nil && p.err == nil {
			p.err = err
		}
		w.account(p)
		close(p.done)
	}
	w.stats.QueuedNow.Add(-int64(len(group)))
}

func (w *groupWriter) account(p *Pending) {
	switch {
	case p.beat != nil:
		if p.err == nil {
			w.stats.Heartbeats.Add(1)
		}
	case p.err != nil:
		w.stats.Failed.Add(1)
	case p.res.Duplicate:
		w.stats.Duplicates.Add(1)
	case p.res.Conflict:
		w.stats.Conflicts.Add(1)
	default:
		w.stats.Batches.Add(1)
		w.stats.Sightings.Add(uint64(len(p.batch.Sightings)))
	}
}

func (w *groupWriter) commitGroup(ctx context.Context, group []*Pending) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning a group of %d batches: %w", len(group), err)
	}
	defer tx.Rollback()
	roll := newRollup()
	now := time.Now().UnixNano()
	var ins *inserter
	defer func() {
		if ins != nil {
			ins.close()
		}
	}()
	for _, p := range group {
		if p.beat != nil {
			p.err = p.beat.record(ctx, tx)
			continue
		}
		if ins == nil {
			if ins, err = startBatches(ctx, tx, now); err != nil {
				return err
			}
		}
		p.res, p.err = ingestOne(ctx, tx, ins, p.batch, now)
		if p.err == nil && p.res == (Result{}) {
			roll.add(p.batch)
		}
	}
	if err := roll.apply(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing a group of %d batches: %w", len(group), err)
	}
	return nil
}

// startBatches prepares a group's transaction for batches: it marks the
// day's first sighting id and prepares the inserts.
func startBatches(ctx context.Context, tx *sql.Tx, now int64) (*inserter, error) {
	if err := markDay(ctx, tx, now); err != nil {
		return nil, err
	}
	return newInserter(ctx, tx)
}

// ingestOne stores one batch inside the group's transaction, under a
// savepoint so that a batch that fails leaves the others intact.
func ingestOne(ctx context.Context, tx *sql.Tx, ins *inserter, b Batch, now int64) (res Result, err error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT batch"); err != nil {
		return Result{}, fmt.Errorf("opening savepoint for batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	res, err = storeBatch(ctx, tx, ins, b, now)
	if err != nil {
		tx.ExecContext(ctx, "ROLLBACK TO batch")
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE batch"); rerr != nil && err == nil {
		err = fmt.Errorf("releasing savepoint for batch %d of %s: %w", b.Seq, b.AgentID, rerr)
	}
	return res, err
}

// sameHostDigest finds a batch with the digest committed by the agent or
// by another enrollment of its host: an agent enrolled again (a new id)
// keeps its spool and may re-send what its old id committed.
const sameHostDigest = `SELECT 1 FROM batches WHERE digest = ?2 AND agent_id IN
	(SELECT ?1 UNION SELECT o.id FROM agents a JOIN agents o ON o.host_id = a.host_id WHERE a.id = ?1) LIMIT 1`

// storeBatch records the batch's idempotency key and stores its
// sightings, unless the same content was committed before (under any seq
// or enrollment of the host) or its seq was committed with other content.
func storeBatch(ctx context.Context, tx *sql.Tx, ins *inserter, b Batch, now int64) (Result, error) {
	if len(b.Digest) > 0 {
		var one int
		err := tx.QueryRowContext(ctx, sameHostDigest, b.AgentID, b.Digest).Scan(&one)
		if err == nil {
			return Result{Duplicate: true}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Result{}, fmt.Errorf("looking up the digest of batch %d of %s: %w", b.Seq, b.AgentID, err)
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO batches(agent_id, seq, received_at, sightings, dropped, digest)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, b.AgentID, int64(b.Seq), now, len(b.Sightings), int64(b.Dropped), nullBlob(b.Digest))
	if err != nil {
		return Result{}, fmt.Errorf("recording batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return seqTaken(ctx, tx, b)
	}
	if err := ins.insert(ctx, b.AgentID, b.Sightings); err != nil {
		return Result{}, fmt.Errorf("storing batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	return Result{}, nil
}

// seqTaken tells a re-send from new content under a seq already
// committed. Without a digest on either side (an agent that predates
// digests) it cannot, and takes it for a re-send as it always did.
func seqTaken(ctx context.Context, tx *sql.Tx, b Batch) (Result, error) {
	var stored []byte
	err := tx.QueryRowContext(ctx, `SELECT digest FROM batches WHERE agent_id = ? AND seq = ?`, b.AgentID, int64(b.Seq)).Scan(&stored)
	if err != nil {
		return Result{}, fmt.Errorf("reading committed batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	if len(stored) == 0 || len(b.Digest) == 0 || bytes.Equal(stored, b.Digest) {
		return Result{Duplicate: true}, nil
	}
	var highest int64
	err = tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM batches WHERE agent_id = ?`, b.AgentID).Scan(&highest)
	if err != nil {
		return Result{}, fmt.Errorf("finding the highest committed batch of %s: %w", b.AgentID, err)
	}
	return Result{Conflict: true, NextSeq: uint64(highest) + 1}, nil
}

// nullBlob stores an empty digest as NULL, which the digest index skips.
func nullBlob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// markDay records the first sighting id of today, once per day.
func markDay(ctx context.Context, tx *sql.Tx, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sighting_days(day, first_id)
		SELECT ?, COALESCE(MAX(id), 0) + 1 FROM sightings`, now/nanosPerDay)
	if err != nil {
		return fmt.Errorf("recording the day's first sighting: %w", err)
	}
	return nil
}
