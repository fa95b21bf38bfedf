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
	AgentID   string
	Seq       uint64
	Dropped   uint64
	Sightings []Sighting
}

// IngestBatch commits a batch and waits for the commit. When the agent
// already sent this sequence number, nothing is stored and duplicate is
// true: agents re-send batches whose acknowledgement they did not see.
func (s *Store) IngestBatch(ctx context.Context, b Batch) (duplicate bool, err error) {
	p, err := s.IngestAsync(ctx, b)
	if err != nil {
		return false, err
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
