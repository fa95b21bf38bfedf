package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// setsAnswer says whether q can be answered from the day sets: grouped by
// service, without a host or user filter.
func (q Query) setsAnswer() bool {
	return (q.By == "" || q.By == "service") && q.Host == "" && q.User == ""
}

// queryBySets answers a by-service query from the day sets (a window) or
// the usage table (all time) instead of scanning rollups.
func (s *Store) queryBySets(ctx context.Context, q Query) ([]Row, error) {
	keep, err := s.servicesFor(ctx, q)
	if err != nil {
		return nil, err
	}
	var sets map[string]*ServiceSet
	if q.From <= 0 && q.To <= q.From {
		sets, err = s.allTimeSets(ctx)
	} else {
		sets, err = s.DaySets(ctx, q.From, q.upperDay())
	}
	if err != nil {
		return nil, err
	}
	meta, err := s.serviceMeta(ctx)
	if err != nil {
		return nil, err
	}
	var out []Row
	for svc, ss := range sets {
		if keep != nil && !keep[svc] {
			continue
		}
		r := meta[svc]
		r.Service, r.Hosts, r.Users, r.Count = svc, ss.Hosts.Count(), ss.Users.Count(), ss.Count
		r.FirstSeen, r.LastSeen = time.Unix(0, ss.First).UTC(), time.Unix(0, ss.Last).UTC()
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Service, b.Service))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (q Query) upperDay() Day {
	if q.To > q.From {
		return q.To
	}
	return DayOf(time.Now()) + 2
}

// allTimeSets counts distinct hosts and users per service from usage, and
// totals from the day sets (their leading columns only). The totals are
// added up here: SQL's SUM fails the query on an overflow.
func (s *Store) allTimeSets(ctx context.Context) (map[string]*ServiceSet, error) {
	out := map[string]*ServiceSet{}
	rows, err := s.r.QueryContext(ctx, `SELECT service, count, first_seen, last_seen FROM day_sets`)
	if err != nil {
		return nil, fmt.Errorf("reading totals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var svc string
		var count, first, last int64
		if err := rows.Scan(&svc, &count, &first, &last); err != nil {
			return nil, err
		}
		ss := out[svc]
		if ss == nil {
			ss = &ServiceSet{Service: svc, First: first}
			out[svc] = ss
		}
		ss.Count = uint64(addCounts(int64(ss.Count), count))
		ss.First, ss.Last = min(ss.First, first), max(ss.Last, last)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.distinctAllTime(ctx, out)
}

func (s *Store) distinctAllTime(ctx context.Context, out map[string]*ServiceSet) error {
	rows, err := s.r.QueryContext(ctx, `SELECT service, COUNT(DISTINCT host_id), COUNT(DISTINCT NULLIF(user, '')) FROM usage GROUP BY service`)
	if err != nil {
		return fmt.Errorf("counting hosts and users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var svc string
		var hosts, users int64
		if err := rows.Scan(&svc, &hosts, &users); err != nil {
			return err
		}
		if ss := out[svc]; ss != nil {
			// Bitsets with that many members stand in for the counts.
			ss.Hosts, ss.Users = nBits(hosts), nBits(users)
		}
	}
	return rows.Err()
}

func nBits(n int64) Bitset {
	var b Bitset
	for i := int64(0); i < n; i++ {
		b = b.Set(i)
	}
	return b
}

// servicesFor is the set of services q's filters allow; nil allows all.
func (s *Store) servicesFor(ctx context.Context, q Query) (map[string]bool, error) {
	conds, args := q.serviceFilter("service")
	if len(conds) == 0 && !q.NewOnly {
		return nil, nil
	}
	text := "SELECT service FROM usage"
	if len(conds) > 0 {
		text += " WHERE " + strings.Join(conds, " AND ")
	}
	text += " GROUP BY service"
	if q.NewOnly {
		text += " HAVING MIN(first_seen) >= ? AND MIN(first_seen) < ?"
		args = append(args, q.From.Time().UnixNano(), q.upper())
	}
	return s.stringSet(ctx, text, args...)
}

func (s *Store) stringSet(ctx context.Context, query string, args ...any) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("selecting services: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// serviceMeta is each catalog service's name, vendor, category, risk and
// explicit policy.
func (s *Store) serviceMeta(ctx context.Context) (map[string]Row, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT v.id, v.name, v.vendor, v.category, v.risk, COALESCE(p.policy, '')
		FROM services v LEFT JOIN policies p ON p.service = v.id
		UNION ALL SELECT p.service, '', '', '', 0, p.policy FROM policies p WHERE p.service NOT IN (SELECT id FROM services)`)
	if err != nil {
		return nil, fmt.Errorf("reading services: %w", err)
	}
	defer rows.Close()
	out := map[string]Row{}
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Service, &r.Name, &r.Vendor, &r.Category, &r.Risk, &r.Policy); err != nil {
			return nil, err
		}
		out[r.Service] = r
	}
	return out, rows.Err()
}
