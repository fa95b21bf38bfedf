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
// (Service "") and the per-service numbers, from the day sets.
func (s *Store) WeeklyTrend(ctx context.Context, from Day, n int) ([]TrendPoint, error) {
	var out []TrendPoint
	for w := 0; w < n; w++ {
		start := from + Day(7*w)
		sets, err := s.DaySets(ctx, start, start+7)
		if err != nil {
			return nil, err
		}
		out = append(out, weekPoints(w, sets)...)
	}
	return out, nil
}

func weekPoints(w int, sets map[string]*ServiceSet) []TrendPoint {
	all := TrendPoint{Week: w}
	var hosts, users Bitset
	var out []TrendPoint
	for svc, ss := range sets {
		out = append(out, TrendPoint{Week: w, Service: svc, Hosts: ss.Hosts.Count(), Users: ss.Users.Count(), Count: ss.Count})
		hosts, users = hosts.Or(ss.Hosts), users.Or(ss.Users)
		all.Count += ss.Count
	}
	all.Hosts, all.Users = hosts.Count(), users.Count()
	return append([]TrendPoint{all}, out...)
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
		FROM pairs r WHERE ` + strings.Join(where, " AND ") + ` GROUP BY +` + col + ` ORDER BY SUM(r.count) DESC, ` + col + ` LIMIT ?`
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
