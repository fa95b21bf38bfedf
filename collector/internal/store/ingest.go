package store

import (
	"context"
	"time"
)

// Sighting is one row of the sightings table.
type Sighting struct {
	FirstSeen, LastSeen time.Time
	Count               uint64
	Source              string
	Domain              string
	Service             string
	HostID, Hostname    string
	User                string
	PID                 int32
	Exe, Process        string
	SrcIP, DstIP        string
	DstPort             uint32
	CatalogVersion      string
	Attrs               map[string]string
}

// Batch is what one agent sent under one sequence number.
type Batch struct {
	AgentID string
	Seq     uint64
	// Digest identifies the batch's content under any sequence number
	// (empty from agents that predate it).
	Digest    []byte
	Dropped   uint64
	Sightings []Sighting
}

// Result is what became of a batch that was not refused.
type Result struct {
	// Duplicate: the batch was committed before (same seq, or same digest
	// under another seq); nothing was stored. Agents re-send batches whose
	// acknowledgement they did not see.
	Duplicate bool
	// Conflict: the seq was committed before with other content (the
	// agent's numbering went back); nothing was stored, and the agent must
	// send the batch again under a seq of at least NextSeq, one more than
	// the highest it has committed.
	Conflict bool
	NextSeq  uint64
}

// IngestBatch commits a batch and waits for the commit.
func (s *Store) IngestBatch(ctx context.Context, b Batch) (Result, error) {
	p, err := s.IngestAsync(ctx, b)
	if err != nil {
		return Result{}, err
	}
	return p.Wait()
}

// IngestAsync hands a batch to the group-commit writer and returns at
// once; the Pending says when it is committed. A stream can so have
// several batches in flight while keeping their order.
func (s *Store) IngestAsync(ctx context.Context, b Batch) (*Pending, error) {
	return s.gw.submit(ctx, &Pending{batch: b})
}

// WriterStats returns the group writer's counters.
func (s *Store) WriterStats() *WriterStats { return &s.gw.stats }
