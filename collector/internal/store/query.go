package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Query selects inventory rows. Windows are whole UTC days, the grain of
// the rollups: [From, To). Every value is bound as a parameter; the SQL
// text is assembled from constant fragments only.
type Query struct {
	From, To                              Day // To <= From means no upper bound
	Service, Vendor, Category, Host, User string
	// Exclude leaves these services out (the caller's policy filter).
	Exclude []string
	// NewOnly keeps rows whose key (service; service and host; service and
	// user) was first seen inside the window.
	NewOnly bool
	// By is "service", "host" or "user".
	By    string
	Limit int
}

// Row is one line of the inventory: a service, or a service on one host,
// or a service used by one user.
type Row struct {
	Service, Name, Vendor, Category string
	Risk                            int
	// Policy set for the service with `policy set`; empty when none.
	Policy           string
	HostID, Hostname string
	User             string
	Hosts, Users     uint64
	FirstSeen        time.Time
	LastSeen         time.Time
	Count            uint64
}

// groupings are the ways rows can be grouped.
var groupings = map[string]bool{"service": true, "host": true, "user": true}

// Query runs an inventory query: by service from the day sets when no host
// or user filter narrows it, otherwise from the day blocks.
func (s *Store) Query(ctx context.Context, q Query) ([]Row, error) {
	var out []Row
	err := s.QueryEach(ctx, q, func(i, n int, r *Row) {
		if out == nil {
			out = make([]Row, 0, n)
		}
		out = append(out, *r)
	})
	return out, err
}

// QueryEach runs an inventory query and calls fn with row i of n, in
// order; r is reused from call to call. Callers that turn tens of
// thousands of rows into something else are spared a copy of them all.
func (s *Store) QueryEach(ctx context.Context, q Query, fn func(i, n int, r *Row)) error {
	if q.By == "" {
		q.By = "service"
	}
	if !groupings[q.By] {
		return fmt.Errorf("unknown grouping %q: use service, host or user", q.By)
	}
	if !q.setsAnswer() {
		return s.queryByBlocks(ctx, q, fn)
	}
	rows, err := s.queryBySets(ctx, q)
	for i := range rows {
		fn(i, len(rows), &rows[i])
	}
	return err
}

// serviceFilter is the SQL condition on col for q's service, vendor,
// category and exclusion filters; nil conds when there are none.
func (q Query) serviceFilter(col string) (conds []string, args []any) {
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	if q.Service != "" {
		add(col+" = ?", q.Service)
	}
	if q.Vendor != "" {
		add(col+" IN (SELECT id FROM services WHERE vendor = ? COLLATE NOCASE)", q.Vendor)
	}
	if q.Category != "" {
		add(col+" IN (SELECT id FROM services WHERE category = ? COLLATE NOCASE)", q.Category)
	}
	if len(q.Exclude) > 0 {
		j, _ := json.Marshal(q.Exclude)
		add(col+" NOT IN (SELECT value FROM json_each(?))", string(j))
	}
	return conds, args
}

// upper is the window's end in Unix nanoseconds (far future when open).
func (q Query) upper() int64 {
	if q.To > q.From {
		return q.To.Time().UnixNano()
	}
	return 1<<63 - 1
}
