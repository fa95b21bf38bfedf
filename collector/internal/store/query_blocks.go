package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// blockSel picks the day blocks a query reads and the facts it keeps.
type blockSel struct {
	conds []string
	args  []any
	// hosts keeps the facts of these host numbers only; nil keeps all.
	hosts map[int64]bool
	// user keeps the facts of this user number only; 0 keeps all.
	user int64
	// none: a host or user filter names no one the store has seen.
	none bool
}

func (sel *blockSel) add(cond string, a ...any) {
	sel.conds = append(sel.conds, cond)
	sel.args = append(sel.args, a...)
}

func (sel *blockSel) keeps(f *fact) bool {
	return (sel.hosts == nil || sel.hosts[f.host]) && (sel.user == 0 || f.user == sel.user)
}

// selection turns q's window and filters into a blockSel. Host and user
// filters become host and user numbers, and the blocks that hold them.
func (s *Store) selection(ctx context.Context, q Query) (blockSel, error) {
	sel := blockSel{}
	sel.add("day >= ?", int64(q.From))
	if q.To > q.From {
		sel.add("day < ?", int64(q.To))
	}
	conds, args := q.serviceFilter("service")
	sel.conds, sel.args = append(sel.conds, conds...), append(sel.args, args...)
	var hosts []int64
	var err error
	if q.Host != "" {
		hosts, err = s.int64s(ctx, `SELECT n FROM hosts WHERE host_id = ?1
			OR host_id IN (SELECT host_id FROM agents WHERE hostname = ?1 COLLATE NOCASE)`, q.Host)
		if err != nil || len(hosts) == 0 {
			return blockSel{none: true}, err
		}
		sel.hosts = setOf(hosts)
	}
	if q.User != "" {
		if hosts, err = s.userHosts(ctx, q.User, &sel); err != nil || sel.none {
			return sel, err
		}
	}
	if hosts != nil {
		return sel, s.narrow(ctx, &sel, hosts, q.User)
	}
	return sel, nil
}

// narrow limits sel to the blocks of hosts, and to the services those
// hosts (and user, when set) used.
func (s *Store) narrow(ctx context.Context, sel *blockSel, hosts []int64, user string) error {
	blocks := map[int64]bool{}
	for _, h := range hosts {
		blocks[blockOf(h)] = true
	}
	j, _ := json.Marshal(keysOf(blocks))
	sel.add("block IN (SELECT value FROM json_each(?))", string(j))
	j, _ = json.Marshal(hosts)
	used, err := s.stringSet(ctx, `SELECT DISTINCT u.service FROM usage u JOIN hosts h ON h.host_id = u.host_id
		WHERE h.n IN (SELECT value FROM json_each(?1)) AND (?2 = '' OR u.user = ?2)`, string(j), user)
	if err != nil {
		return err
	}
	j, _ = json.Marshal(slices.Sorted(maps.Keys(used)))
	sel.add("service IN (SELECT value FROM json_each(?))", string(j))
	return nil
}

// userHosts sets sel.user to the number of user and returns the hosts the
// user was seen on (within sel.hosts when a host filter is set).
func (s *Store) userHosts(ctx context.Context, user string, sel *blockSel) ([]int64, error) {
	ns, err := s.int64s(ctx, "SELECT n FROM users WHERE name = ?", user)
	if err != nil || len(ns) == 0 {
		sel.none = true
		return nil, err
	}
	sel.user = ns[0]
	hosts, err := s.int64s(ctx, `SELECT DISTINCT h.n FROM usage u JOIN hosts h ON h.host_id = u.host_id WHERE u.user = ?`, user)
	if err != nil {
		return nil, err
	}
	if sel.hosts != nil {
		hosts = slices.DeleteFunc(hosts, func(h int64) bool { return !sel.hosts[h] })
	}
	sel.none = len(hosts) == 0
	return hosts, nil
}

// services numbers service ids within one query, so aggregation keys are
// small integers.
type services struct {
	index map[string]int32
	ids   []string
}

func (sv *services) of(id []byte) int32 {
	if i, ok := sv.index[string(id)]; ok {
		return i
	}
	if sv.index == nil {
		sv.index = map[string]int32{}
	}
	i := int32(len(sv.ids))
	sv.ids = append(sv.ids, string(id))
	sv.index[sv.ids[i]] = i
	return i
}

// scanFacts calls fn with each fact sel keeps; svc is the service's
// number in sv.
func (s *Store) scanFacts(ctx context.Context, sel blockSel, sv *services, fn func(svc int32, f *fact)) error {
	rows, err := s.r.QueryContext(ctx, "SELECT service, facts FROM day_blocks WHERE "+strings.Join(sel.conds, " AND "), sel.args...)
	if err != nil {
		return fmt.Errorf("reading day blocks: %w", err)
	}
	defer rows.Close()
	var id, raw sql.RawBytes
	var facts []fact
	for rows.Next() {
		if err := rows.Scan(&id, &raw); err != nil {
			return fmt.Errorf("reading day blocks: %w", err)
		}
		if facts, err = decodeFacts(facts[:0], raw); err != nil {
			return fmt.Errorf("service %s: %w", id, err)
		}
		svc := sv.of(id)
		for i := range facts {
			if sel.keeps(&facts[i]) {
				fn(svc, &facts[i])
			}
		}
	}
	return rows.Err()
}

// queryByBlocks answers q by adding up the facts of the day blocks in its
// window.
func (s *Store) queryByBlocks(ctx context.Context, q Query, fn func(i, n int, r *Row)) error {
	sel, err := s.selection(ctx, q)
	if err != nil || sel.none {
		return err
	}
	sv := &services{}
	gt := &groupTable{others: seen{}}
	if q.NewOnly {
		fresh, err := s.onlyNew(ctx, q, &sel, sv)
		if err != nil || len(fresh) == 0 {
			return err
		}
		gt.only(fresh)
	}
	keyOf := map[string]func(*fact) int64{
		"service": func(*fact) int64 { return 0 },
		"host":    func(f *fact) int64 { return f.host },
		"user":    func(f *fact) int64 { return f.user },
	}[q.By]
	err = s.scanFacts(ctx, sel, sv, func(svc int32, f *fact) { gt.add(groupKey{svc, keyOf(f)}, f) })
	if err != nil {
		return err
	}
	return s.groupRows(ctx, q, sv, gt, fn)
}

// onlyNew narrows sel to the services with something new in q's window
// and returns the keys of q.By that are new.
func (s *Store) onlyNew(ctx context.Context, q Query, sel *blockSel, sv *services) ([]groupKey, error) {
	fresh, err := s.newKeys(ctx, q, sv)
	if err != nil || len(fresh) == 0 {
		return nil, err
	}
	ids := map[string]bool{}
	for _, k := range fresh {
		ids[sv.ids[k.svc]] = true
	}
	j, _ := json.Marshal(slices.Sorted(maps.Keys(ids)))
	sel.add("service IN (SELECT value FROM json_each(?))", string(j))
	return fresh, nil
}

// groupRows passes the groups to fn as rows with names, most observed
// first, then by service, host id and user.
func (s *Store) groupRows(ctx context.Context, q Query, sv *services, gt *groupTable, fn func(i, n int, r *Row)) error {
	keys := make([]int64, len(gt.keys))
	for i, k := range gt.keys {
		keys[i] = k.key
	}
	names, err := s.keyNames(ctx, q.By, keys)
	if err != nil {
		return err
	}
	order := gt.order(sv, names)
	if q.Limit > 0 && len(order) > q.Limit {
		order = order[:q.Limit]
	}
	metas, err := s.metas(ctx, sv)
	if err != nil {
		return err
	}
	var hostnames map[string]string
	if q.By == "host" {
		if hostnames, err = s.orderedHostnames(ctx, order, names); err != nil {
			return err
		}
	}
	var r Row
	for i, j := range order {
		gt.at(j).fill(&r, &metas[gt.keys[j].svc])
		switch q.By {
		case "host":
			r.HostID, r.Hostname = names[j], hostnames[names[j]]
		case "user":
			r.User = names[j]
		}
		fn(i, len(order), &r)
	}
	return nil
}

// orderedHostnames reads the hostnames of the host groups in order.
func (s *Store) orderedHostnames(ctx context.Context, order []int32, names []string) (map[string]string, error) {
	ids := make([]string, 0, len(order))
	seen := make(map[string]bool, len(order))
	for _, j := range order {
		if !seen[names[j]] {
			seen[names[j]] = true
			ids = append(ids, names[j])
		}
	}
	return s.hostnames(ctx, ids)
}

// metas is the catalog fields of each service of sv, by number.
func (s *Store) metas(ctx context.Context, sv *services) ([]Row, error) {
	meta, err := s.serviceMeta(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Row, len(sv.ids))
	for i, id := range sv.ids {
		out[i] = meta[id]
		out[i].Service = id
	}
	return out, nil
}

// newKeys is the set of groups of q.By first seen in q's window: service,
// service and host, or service and user (users only). A key is new when
// one of its usage rows starts in the window and none starts before it.
func (s *Store) newKeys(ctx context.Context, q Query, sv *services) ([]groupKey, error) {
	text := map[string]string{
		"service": `SELECT DISTINCT u.service, 0 FROM usage u WHERE u.first_seen >= ?1 AND u.first_seen < ?2
			AND NOT EXISTS (SELECT 1 FROM usage o WHERE o.service = u.service AND o.first_seen < ?1)`,
		"host": `SELECT DISTINCT u.service, h.n FROM usage u JOIN hosts h ON h.host_id = u.host_id
			WHERE u.first_seen >= ?1 AND u.first_seen < ?2
			AND NOT EXISTS (SELECT 1 FROM usage o WHERE o.service = u.service AND o.host_id = u.host_id AND o.first_seen < ?1)`,
		"user": `SELECT DISTINCT u.service, n.n FROM usage u JOIN users n ON n.name = u.user
			WHERE u.user <> '' AND u.first_seen >= ?1 AND u.first_seen < ?2
			AND NOT EXISTS (SELECT 1 FROM usage o INDEXED BY usage_user
				WHERE o.user = u.user AND o.service = u.service AND o.first_seen < ?1)`,
	}[q.By]
	rows, err := s.r.QueryContext(ctx, text, q.From.Time().UnixNano(), q.upper())
	if err != nil {
		return nil, fmt.Errorf("finding what is new: %w", err)
	}
	defer rows.Close()
	var out []groupKey
	var id sql.RawBytes
	var n int64
	for rows.Next() {
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("finding what is new: %w", err)
		}
		out = append(out, groupKey{sv.of(id), n})
	}
	return out, rows.Err()
}

func (s *Store) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("resolving a filter: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("resolving a filter: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func setOf(xs []int64) map[int64]bool {
	m := make(map[int64]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func keysOf(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
