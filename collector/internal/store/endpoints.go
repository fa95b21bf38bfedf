package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Endpoints lists the newest agent of every host, most recently heard
// from first.
func (s *Store) Endpoints(ctx context.Context) ([]Agent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, host_id, hostname, os, agent_version, cert_serial, cert_not_after,
		enrolled_at, last_seen, last_heartbeat, health, revoked_at FROM endpoints
		ORDER BY COALESCE(last_heartbeat, last_seen, enrolled_at) DESC, hostname`)
	if err != nil {
		return nil, fmt.Errorf("listing endpoints: %w", err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func scanAgent(rows *sql.Rows) (Agent, error) {
	var a Agent
	var certNotAfter, enrolled int64
	var lastSeen, lastHB, revoked sql.NullInt64
	var health sql.NullString
	if err := rows.Scan(&a.ID, &a.HostID, &a.Hostname, &a.OS, &a.Version, &a.CertSerial, &certNotAfter,
		&enrolled, &lastSeen, &lastHB, &health, &revoked); err != nil {
		return a, fmt.Errorf("reading endpoint: %w", err)
	}
	a.CertNotAfter, a.EnrolledAt = time.Unix(0, certNotAfter), time.Unix(0, enrolled)
	a.LastSeen, a.LastHeartbeat, a.RevokedAt = nullTime(lastSeen), nullTime(lastHB), nullTime(revoked)
	a.Health = health.String
	return a, nil
}
