package store

import (
	"context"
	"fmt"
	"time"
)

// Policies a service can have.
const (
	Sanctioned   = "sanctioned"
	Unsanctioned = "unsanctioned"
	UnderReview  = "under-review"
)

// ValidPolicy says whether p is one of the three policies.
func ValidPolicy(p string) bool {
	return p == Sanctioned || p == Unsanctioned || p == UnderReview
}

// SetPolicy records the policy for a service, replacing any earlier one.
func (s *Store) SetPolicy(ctx context.Context, service, policy string) error {
	if !ValidPolicy(policy) {
		return fmt.Errorf("unknown policy %q: use sanctioned, unsanctioned or under-review", policy)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO policies(service, policy, set_at) VALUES (?, ?, ?)
		ON CONFLICT DO UPDATE SET policy = excluded.policy, set_at = excluded.set_at`,
		service, policy, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("setting the policy of %s: %w", service, err)
	}
	return nil
}

// Policies returns the explicitly set policy of each service.
func (s *Store) Policies(ctx context.Context) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT service, policy FROM policies")
	if err != nil {
		return nil, fmt.Errorf("reading policies: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var svc, p string
		if err := rows.Scan(&svc, &p); err != nil {
			return nil, err
		}
		out[svc] = p
	}
	return out, rows.Err()
}
