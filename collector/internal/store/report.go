package store

import (
	"context"
	"fmt"
	"strings"
)

// TrendPoint is one week of the trend: distinct hosts and users, and
// observations, for one service or (Service "") all of them.
type TrendPoint struct {
	Week                int // 0 is the first week of the range
	Service             string
	Hosts, Users, Count uint64
}

// WeeklyTrend returns, for each of n weeks starting at from, the totals
// and the per-service numbers.
func (s *Store) WeeklyTrend(ctx context.Context, from Day, n int) ([]TrendPoint, error) {
	to := from + Day(7*n)
	all, err := s.trend(ctx, "''", from, to)
	if err != nil {
		return nil, err
	}
	per, err := s.trend(ctx, "service", from, to)
	if err != nil {
		return nil, err
	}
	return append(all, per...), nil
}

// trend groups by week and col; col is one of two constants.
func (s *Store) trend(ctx context.Context, col string, from, to Day) ([]TrendPoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT (day - ?) / 7 AS w, `+col+`, COUNT(DISTINCT host_id),
		COUNT(DISTINCT NULLIF(user, '')), SUM(count) FROM rollups WHERE day >= ? AND day < ? GROUP BY w, `+col+` ORDER BY w`,
		int64(from), int64(from), int64(to))
	if err != nil {
		return nil, fmt.Errorf("querying the weekly trend: %w", err)
	}
	defer rows.Close()
	var out []TrendPoint
	for rows.Next() {
		var p TrendPoint
		var count int64
		if err := rows.Scan(&p.Week, &p.Service, &p.Hosts, &p.Users, &count); err != nil {
			return nil, fmt.Errorf("reading the weekly trend: %w", err)
		}
		p.Count = uint64(count)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Top is a user or host ranked by use: which services, on how many
// hosts or by how many users, how often.
type Top struct {
	Key, Hostname string
	Services      []string
	Hosts, Users  uint64
	Count         uint64
}

// TopBy ranks users ("user") or hosts ("host") by observations of the
// services q selects (q.By is ignored), at most limit of them.
func (s *Store) TopBy(ctx context.Context, q Query, key string, limit int) ([]Top, error) {
	col := map[string]string{"user": "r.user", "host": "r.host_id"}[key]
	if col == "" {
		return nil, fmt.Errorf("unknown ranking key %q", key)
	}
	where, args := q.where(groupings["service"].newKey)
	if key == "user" {
		where = append(where, "r.user <> ''")
	}
	text := `SELECT ` + col + `, COALESCE((SELECT a.hostname FROM agents a WHERE a.host_id = r.host_id ORDER BY a.enrolled_at DESC LIMIT 1), r.host_id),
		group_concat(DISTINCT r.service), COUNT(DISTINCT r.host_id), COUNT(DISTINCT NULLIF(r.user, '')), SUM(r.count)
		FROM rollups r WHERE ` + strings.Join(where, " AND ") + ` GROUP BY ` + col + ` ORDER BY SUM(r.count) DESC, ` + col + ` LIMIT ?`
	rows, err := s.r.QueryContext(ctx, text, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("ranking %ss: %w", key, err)
	}
	defer rows.Close()
	var out []Top
	for rows.Next() {
		var t Top
		var svcs string
		var count int64
		if err := rows.Scan(&t.Key, &t.Hostname, &svcs, &t.Hosts, &t.Users, &count); err != nil {
			return nil, fmt.Errorf("reading %s ranking: %w", key, err)
		}
		t.Services, t.Count = strings.Split(svcs, ","), uint64(count)
		out = append(out, t)
	}
	return out, rows.Err()
}
