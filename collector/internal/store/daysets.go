package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// numberAll numbers the group's hosts and users: the day sets and day
// blocks refer to them by number.
func (r *rollup) numberAll(ctx context.Context, tx *sql.Tx) (hosts, users map[string]int64, err error) {
	users, err = number(ctx, tx, touchUser, insertUser, r.users, func(k string, v *rollupVal) []any { return []any{k, v.first, v.last} })
	if err != nil {
		return nil, nil, err
	}
	hostSet := map[string]*rollupVal{}
	for _, ds := range r.sets {
		for h := range ds.hosts {
			hostSet[h] = nil
		}
	}
	hosts, err = number(ctx, tx, findHost, insertHost, hostSet, func(k string, _ *rollupVal) []any { return []any{k} })
	return hosts, users, err
}

// applySets ORs the group's hosts and users into the day sets.
func (r *rollup) applySets(ctx context.Context, tx *sql.Tx, hosts, users map[string]int64) error {
	for k, ds := range r.sets {
		if err := mergeSet(ctx, tx, k, ds, hosts, users); err != nil {
			return err
		}
	}
	return nil
}

// number returns the number of each key: find (which may also update the
// row) returns it for a known key, insert numbers a new one. Both take
// the same arguments and return n.
func number(ctx context.Context, tx *sql.Tx, find, insert string, keys map[string]*rollupVal, args func(string, *rollupVal) []any) (map[string]int64, error) {
	out := make(map[string]int64, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	found, err := tx.PrepareContext(ctx, find)
	if err != nil {
		return nil, fmt.Errorf("preparing numbering: %w", err)
	}
	defer found.Close()
	for k, v := range keys {
		var n int64
		err := found.QueryRowContext(ctx, args(k, v)...).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, insert, args(k, v)...).Scan(&n)
		}
		if err != nil {
			return nil, fmt.Errorf("numbering %q: %w", k, err)
		}
		out[k] = n
	}
	return out, nil
}

func mergeSet(ctx context.Context, tx *sql.Tx, k setKey, ds *daySet, hosts, users map[string]int64) error {
	var hb, ub []byte
	old := rollupVal{}
	err := tx.QueryRowContext(ctx, "SELECT hosts, users, count, first_seen, last_seen FROM day_sets WHERE day = ? AND service = ?",
		int64(k.day), k.service).Scan(&hb, &ub, &old.count, &old.first, &old.last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reading the day set of %s: %w", k.service, err)
	}
	// Never nil: a nil slice would be stored as NULL.
	hs, us := append(Bitset{}, hb...), append(Bitset{}, ub...)
	for h := range ds.hosts {
		hs = hs.Set(hosts[h])
	}
	for u := range ds.users {
		us = us.Set(users[u])
	}
	v := ds.v
	if old.count > 0 {
		v.first, v.last, v.count = min(v.first, old.first), max(v.last, old.last), addCounts(v.count, old.count)
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO day_sets(day, service, count, first_seen, last_seen, hosts, users)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, int64(k.day), k.service, v.count, v.first, v.last, []byte(hs), []byte(us))
	if err != nil {
		return fmt.Errorf("writing the day set of %s: %w", k.service, err)
	}
	return nil
}

// ServiceSet is one service's use over a window, from the day sets.
type ServiceSet struct {
	Service      string
	Hosts, Users Bitset
	Count        uint64
	First, Last  int64
}

// DaySets merges the day sets of [from, to) per service.
func (s *Store) DaySets(ctx context.Context, from, to Day) (map[string]*ServiceSet, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT service, hosts, users, count, first_seen, last_seen FROM day_sets
		WHERE day >= ? AND day < ?`, int64(from), int64(to))
	if err != nil {
		return nil, fmt.Errorf("reading day sets: %w", err)
	}
	defer rows.Close()
	out := map[string]*ServiceSet{}
	for rows.Next() {
		var svc string
		var hb, ub []byte
		var count, first, last int64
		if err := rows.Scan(&svc, &hb, &ub, &count, &first, &last); err != nil {
			return nil, fmt.Errorf("reading day sets: %w", err)
		}
		ss := out[svc]
		if ss == nil {
			ss = &ServiceSet{Service: svc, First: first}
			out[svc] = ss
		}
		ss.Hosts, ss.Users = ss.Hosts.Or(hb), ss.Users.Or(ub)
		ss.Count = uint64(addCounts(int64(ss.Count), count))
		ss.First, ss.Last = min(ss.First, first), max(ss.Last, last)
	}
	return out, rows.Err()
}
