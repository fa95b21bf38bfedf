package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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

// groupings: the grouping columns and the key --new compares.
// The unary + keeps SQLite from walking a whole index to get rows in
// group order: a range of days on the primary key and a sort is cheaper.
var groupings = map[string]struct{ cols, newKey string }{
	"service": {"+r.service", "r.service IN (SELECT service FROM usage GROUP BY service HAVING MIN(first_seen) >= ? AND MIN(first_seen) < ?)"},
	"host":    {"+r.service, +r.host_id", "(r.service, r.host_id) IN (SELECT service, host_id FROM usage GROUP BY service, host_id HAVING MIN(first_seen) >= ? AND MIN(first_seen) < ?)"},
	"user":    {"+r.service, +r.user", "(r.service, r.user) IN (SELECT service, user FROM usage WHERE user <> '' GROUP BY service, user HAVING MIN(first_seen) >= ? AND MIN(first_seen) < ?)"},
}

// Query runs an inventory query on the rollups.
func (s *Store) Query(ctx context.Context, q Query) ([]Row, error) {
	by := q.By
	if by == "" {
		by = "service"
	}
	g, ok := groupings[by]
	if !ok {
		return nil, fmt.Errorf("unknown grouping %q: use service, host or user", q.By)
	}
	if q.setsAnswer() {
		return s.queryBySets(ctx, q)
	}
	where, args := q.where(g.newKey)
	text := queryHead(by) + " WHERE " + strings.Join(where, " AND ") + " GROUP BY " + g.cols + ") g" + queryTail
	if q.Limit > 0 {
		text += " LIMIT ?"
		args = append(args, q.Limit)
	}
	meta, err := s.serviceMeta(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("querying inventory: %w", err)
	}
	defer rows.Close()
	return scanRows(rows, meta)
}

func queryHead(by string) string {
	hostCol, userCol, hostname := "''", "''", "''"
	switch by {
	case "host":
		hostCol = "r.host_id"
		hostname = "COALESCE((SELECT a.hostname FROM agents a WHERE a.host_id = g.host_id ORDER BY a.enrolled_at DESC LIMIT 1), g.host_id)"
	case "user":
		userCol = "r.user"
	}
	return `SELECT g.service, g.host_id, ` + hostname + `, g.user, g.hosts, g.users, g.first_seen, g.last_seen, g.count
		FROM (SELECT r.service AS service, ` + hostCol + ` AS host_id, ` + userCol + ` AS user,
		COUNT(DISTINCT r.host_id) AS hosts, COUNT(DISTINCT NULLIF(r.user, '')) AS users,
		MIN(r.first_seen) AS first_seen, MAX(r.last_seen) AS last_seen, SUM(r.count) AS count
		FROM pairs r`
}

const queryTail = ` ORDER BY g.count DESC, g.service, g.host_id, g.user`

func (q Query) where(newKey string) ([]string, []any) {
	where := []string{"r.day >= ?"}
	args := []any{int64(q.From)}
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if q.To > q.From {
		add("r.day < ?", int64(q.To))
	}
	if q.Service != "" {
		add("r.service = ?", q.Service)
	}
	if q.Vendor != "" {
		add("r.service IN (SELECT id FROM services WHERE vendor = ? COLLATE NOCASE)", q.Vendor)
	}
	if q.Category != "" {
		add("r.service IN (SELECT id FROM services WHERE category = ? COLLATE NOCASE)", q.Category)
	}
	if q.Host != "" {
		add("(r.host_id = ? OR r.host_id IN (SELECT host_id FROM agents WHERE hostname = ? COLLATE NOCASE))", q.Host, q.Host)
	}
	if q.User != "" {
		add("r.user = ?", q.User)
	}
	if len(q.Exclude) > 0 {
		j, _ := json.Marshal(q.Exclude)
		add("r.service NOT IN (SELECT value FROM json_each(?))", string(j))
	}
	if q.NewOnly {
		add(newKey, q.From.Time().UnixNano(), q.upper())
	}
	return where, args
}

// upper is the window's end in Unix nanoseconds (far future when open).
func (q Query) upper() int64 {
	if q.To > q.From {
		return q.To.Time().UnixNano()
	}
	return 1<<63 - 1
}

func scanRows(rows *sql.Rows, meta map[string]Row) ([]Row, error) {
	var out []Row
	for rows.Next() {
		var r Row
		var svc string
		var first, last, count int64
		if err := rows.Scan(&svc, &r.HostID, &r.Hostname, &r.User, &r.Hosts, &r.Users, &first, &last, &count); err != nil {
			return nil, fmt.Errorf("reading inventory row: %w", err)
		}
		m := meta[svc]
		r.Service, r.Name, r.Vendor, r.Category, r.Risk, r.Policy = svc, m.Name, m.Vendor, m.Category, m.Risk, m.Policy
		r.FirstSeen, r.LastSeen, r.Count = time.Unix(0, first).UTC(), time.Unix(0, last).UTC(), uint64(count)
		out = append(out, r)
	}
	return out, rows.Err()
}
