package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RenewAgent records the certificate an agent renewed to.
func (s *Store) RenewAgent(ctx context.Context, id, certSerial string, notAfter time.Time) error {
	res, err := s.w.ExecContext(ctx, "UPDATE agents SET cert_serial = ?, cert_not_after = ? WHERE id = ? AND revoked_at IS NULL",
		certSerial, notAfter.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("recording renewed certificate of %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoAgent
	}
	return nil
}

// ErrAlreadyRevoked says the agent was revoked before.
var ErrAlreadyRevoked = errors.New("agent was already revoked")

// RevokeAgent marks an agent revoked: from then on the collector refuses
// its calls. It returns the time of the revocation (the earlier one, with
// ErrAlreadyRevoked, when it was revoked before).
func (s *Store) RevokeAgent(ctx context.Context, id string, at time.Time) (time.Time, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("revoking %s: %w", id, err)
	}
	defer tx.Rollback()
	var revoked sql.NullInt64
	err = tx.QueryRowContext(ctx, "SELECT revoked_at FROM agents WHERE id = ?", id).Scan(&revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, ErrNoAgent
	case err != nil:
		return time.Time{}, fmt.Errorf("looking up agent %s: %w", id, err)
	case revoked.Valid:
		return nullTime(revoked), ErrAlreadyRevoked
	}
	if _, err := tx.ExecContext(ctx, "UPDATE agents SET revoked_at = ? WHERE id = ?", at.UnixNano(), id); err != nil {
		return time.Time{}, fmt.Errorf("revoking %s: %w", id, err)
	}
	return at, tx.Commit()
}

// AgentSummary is an agent with what it delivered.
type AgentSummary struct {
	Agent
	// Batches committed, and sightings the agent reported dropping
	// because its spool was full.
	Batches, Dropped uint64
}

// Agents lists every enrolled agent, oldest enrollment first.
func (s *Store) Agents(ctx context.Context) ([]AgentSummary, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.host_id, a.hostname, a.os, a.agent_version, a.cert_serial, a.cert_not_after,
		a.enrolled_at, a.last_seen, a.last_heartbeat, a.health, a.revoked_at,
		(SELECT COUNT(*) FROM batches b WHERE b.agent_id = a.id), (SELECT COALESCE(SUM(dropped), 0) FROM batches b WHERE b.agent_id = a.id)
		FROM agents a ORDER BY a.enrolled_at, a.id`)
	if err != nil {
		return nil, fmt.Errorf("listing agents: %w", err)
	}
	defer rows.Close()
	var out []AgentSummary
	for rows.Next() {
		var a AgentSummary
		var certNotAfter, enrolled int64
		var lastSeen, lastHB, revoked sql.NullInt64
		var health sql.NullString
		if err := rows.Scan(&a.ID, &a.HostID, &a.Hostname, &a.OS, &a.Version, &a.CertSerial, &certNotAfter,
			&enrolled, &lastSeen, &lastHB, &health, &revoked, &a.Batches, &a.Dropped); err != nil {
			return nil, fmt.Errorf("listing agents: %w", err)
		}
		a.CertNotAfter, a.EnrolledAt = time.Unix(0, certNotAfter), time.Unix(0, enrolled)
		a.LastSeen, a.LastHeartbeat, a.RevokedAt = nullTime(lastSeen), nullTime(lastHB), nullTime(revoked)
		a.Health = health.String
		out = append(out, a)
	}
	return out, rows.Err()
}
