package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Enrollment errors a person can act on.
var (
	ErrTokenUnknown = errors.New("enrollment token is not known to this collector: create one with `shadowai-collector token create`")
	ErrTokenUsed    = errors.New("enrollment token was already used: tokens are one-time, create a new one with `shadowai-collector token create`")
	ErrTokenExpired = errors.New("enrollment token has expired: create a new one with `shadowai-collector token create`")
)

// CreateToken records a new enrollment token by the hash of its secret.
func (s *Store) CreateToken(ctx context.Context, hash [32]byte, expires time.Time) error {
	_, err := s.w.ExecContext(ctx,
		"INSERT INTO tokens(hash, created_at, expires_at) VALUES (?, ?, ?)",
		hash[:], time.Now().UnixNano(), expires.UnixNano())
	if err != nil {
		return fmt.Errorf("storing token: %w", err)
	}
	return nil
}

// Agent is an enrolled endpoint.
type Agent struct {
	ID, HostID, Hostname, OS, Version string
	CertSerial                        string
	CertNotAfter                      time.Time
	EnrolledAt                        time.Time
	LastSeen                          time.Time
	LastHeartbeat                     time.Time
	Health                            string
	RevokedAt                         time.Time
}

// Enroll redeems a token and records the agent, in one transaction: a token
// can never enrol two agents, even when two requests race.
func (s *Store) Enroll(ctx context.Context, hash [32]byte, a Agent) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var expires int64
	var used sql.NullInt64
	err = tx.QueryRowContext(ctx, "SELECT expires_at, used_at FROM tokens WHERE hash = ?", hash[:]).Scan(&expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrTokenUnknown
	case err != nil:
		return fmt.Errorf("looking up token: %w", err)
	case used.Valid:
		return ErrTokenUsed
	case time.Now().UnixNano() > expires:
		return ErrTokenExpired
	}
	now := time.Now().UnixNano()
	if _, err := tx.ExecContext(ctx, "UPDATE tokens SET used_at = ?, agent_id = ? WHERE hash = ?", now, a.ID, hash[:]); err != nil {
		return fmt.Errorf("redeeming token: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO agents(id, host_id, hostname, os, agent_version, cert_serial, cert_not_after, enrolled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.HostID, a.Hostname, a.OS, a.Version, a.CertSerial, a.CertNotAfter.UnixNano(), now)
	if err != nil {
		return fmt.Errorf("recording agent: %w", err)
	}
	return tx.Commit()
}

// ErrNoAgent says no agent has the given id.
var ErrNoAgent = errors.New("no such agent")

// Agent returns the agent with the given id.
func (s *Store) Agent(ctx context.Context, id string) (Agent, error) {
	var a Agent
	var certNotAfter, enrolled int64
	var lastSeen, lastHB, revoked sql.NullInt64
	var health sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT id, host_id, hostname, os, agent_version, cert_serial, cert_not_after,
		enrolled_at, last_seen, last_heartbeat, health, revoked_at FROM agents WHERE id = ?`, id).Scan(
		&a.ID, &a.HostID, &a.Hostname, &a.OS, &a.Version, &a.CertSerial, &certNotAfter,
		&enrolled, &lastSeen, &lastHB, &health, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNoAgent
	}
	if err != nil {
		return a, fmt.Errorf("looking up agent %s: %w", id, err)
	}
	a.CertNotAfter, a.EnrolledAt = time.Unix(0, certNotAfter), time.Unix(0, enrolled)
	a.LastSeen, a.LastHeartbeat, a.RevokedAt = nullTime(lastSeen), nullTime(lastHB), nullTime(revoked)
	a.Health = health.String
	return a, nil
}

func nullTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// RecordHeartbeat stores an agent's latest health report (JSON) and marks
// it seen. The heartbeat goes through the group writer, in the same
// transactions as batches, so thousands of agents do not each cost a
// commit; it returns once the heartbeat is committed.
func (s *Store) RecordHeartbeat(ctx context.Context, agentID, hostname, os, version, healthJSON string, at time.Time) error {
	p, err := s.gw.submit(ctx, &Pending{beat: &heartbeat{agentID, hostname, os, version, healthJSON, at}})
	if err != nil {
		return fmt.Errorf("recording heartbeat of %s: %w", agentID, err)
	}
	_, err = p.Wait()
	return err
}

// heartbeat is what an agent reported about itself.
type heartbeat struct {
	agentID, hostname, os, version, healthJSON string
	at                                         time.Time
}

func (h *heartbeat) record(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE agents SET last_seen = ?, last_heartbeat = ?, health = ?,
		hostname = CASE WHEN ? <> '' THEN ? ELSE hostname END,
		os = CASE WHEN ? <> '' THEN ? ELSE os END,
		agent_version = CASE WHEN ? <> '' THEN ? ELSE agent_version END
		WHERE id = ?`,
		h.at.UnixNano(), h.at.UnixNano(), h.healthJSON, h.hostname, h.hostname, h.os, h.os, h.version, h.version, h.agentID)
	if err != nil {
		return fmt.Errorf("recording heartbeat of %s: %w", h.agentID, err)
	}
	return nil
}
