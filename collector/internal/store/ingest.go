package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// IngestBatch commits a batch. When the agent already sent this sequence
// number, nothing is stored and duplicate is true: agents re-send batches
// whose acknowledgement they did not see.
func (s *Store) IngestBatch(ctx context.Context, b Batch) (duplicate bool, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("beginning batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	defer tx.Rollback()
	now := time.Now().UnixNano()
	res, err := tx.ExecContext(ctx, `INSERT INTO batches(agent_id, seq, received_at, sightings, dropped)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, b.AgentID, int64(b.Seq), now, len(b.Sightings), int64(b.Dropped))
	if err != nil {
		return false, fmt.Errorf("recording batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return true, nil
	}
	if err := insertSightings(ctx, tx, b); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE agents SET last_seen = ? WHERE id = ?", now, b.AgentID); err != nil {
		return false, fmt.Errorf("marking %s seen: %w", b.AgentID, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("committing batch %d of %s: %w", b.Seq, b.AgentID, err)
	}
	return false, nil
}

func insertSightings(ctx context.Context, tx *sql.Tx, b Batch) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO sightings(agent_id, host_id, hostname, first_seen, last_seen,
		count, source, domain, service, user, pid, exe, process, src_ip, dst_ip, dst_port, catalog_version, attrs)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("preparing sighting insert: %w", err)
	}
	defer stmt.Close()
	for _, x := range b.Sightings {
		attrs := "{}"
		if len(x.Attrs) > 0 {
			j, _ := json.Marshal(x.Attrs)
			attrs = string(j)
		}
		_, err := stmt.ExecContext(ctx, b.AgentID, x.HostID, x.Hostname, x.FirstSeen.UnixNano(), x.LastSeen.UnixNano(),
			int64(x.Count), x.Source, x.Domain, x.Service, x.User, x.PID, x.Exe, x.Process, x.SrcIP, x.DstIP,
			x.DstPort, x.CatalogVersion, attrs)
		if err != nil {
			return fmt.Errorf("storing sighting of batch %d: %w", b.Seq, err)
		}
	}
	return nil
}
