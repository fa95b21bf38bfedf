package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Day is a UTC calendar day counted from 1970-01-01: the grain of rollups
// and of inventory windows.
type Day int64

const nanosPerDay = int64(24 * time.Hour)

// DayOf returns the UTC day t falls in.
func DayOf(t time.Time) Day {
	n := t.UnixNano()
	d := n / nanosPerDay
	if n < 0 && n%nanosPerDay != 0 {
		d--
	}
	return Day(d)
}

// Time is the start (00:00 UTC) of the day.
func (d Day) Time() time.Time { return time.Unix(0, int64(d)*nanosPerDay).UTC() }

type rollupKey struct {
	day                         Day
	service, host, user, source string
}

type rollupVal struct {
	count, sightings int64
	first, last      int64
}

func (v *rollupVal) merge(count, first, last int64) {
	if v.sightings == 0 || first < v.first {
		v.first = first
	}
	v.last = max(v.last, last)
	v.count = addCounts(v.count, count)
	v.sightings++
}

type usageKey struct{ service, host, user string }

type pairKey struct {
	day                 Day
	service, host, user string
}

type setKey struct {
	day     Day
	service string
}

// daySet is what a group adds to one day set.
type daySet struct {
	hosts, users map[string]bool
	v            rollupVal
}

// rollup accumulates, for one group commit, what the batches add to the
// rollups, usage and users tables, so each key is written once.
type rollup struct {
	days   map[rollupKey]*rollupVal
	pairs  map[pairKey]*rollupVal
	usage  map[usageKey]*rollupVal
	users  map[string]*rollupVal
	agents map[string]bool
	sets   map[setKey]*daySet
}

func newRollup() *rollup {
	return &rollup{days: map[rollupKey]*rollupVal{}, pairs: map[pairKey]*rollupVal{}, usage: map[usageKey]*rollupVal{},
		users: map[string]*rollupVal{}, agents: map[string]bool{}, sets: map[setKey]*daySet{}}
}

func (r *rollup) add(b Batch) {
	r.agents[b.AgentID] = true
	for i := range b.Sightings {
		x := &b.Sightings[i]
		if x.Service == "" {
			continue
		}
		first, last, n := x.FirstSeen.UnixNano(), x.LastSeen.UnixNano(), int64(x.Count)
		mergeInto(r.days, rollupKey{DayOf(x.LastSeen), x.Service, x.HostID, x.User, x.Source}, n, first, last)
		mergeInto(r.pairs, pairKey{DayOf(x.LastSeen), x.Service, x.HostID, x.User}, n, first, last)
		mergeInto(r.usage, usageKey{x.Service, x.HostID, x.User}, n, first, last)
		if x.User != "" {
			mergeInto(r.users, x.User, n, first, last)
		}
		r.addToSet(setKey{DayOf(x.LastSeen), x.Service}, x, n, first, last)
	}
}

func (r *rollup) addToSet(k setKey, x *Sighting, n, first, last int64) {
	ds := r.sets[k]
	if ds == nil {
		ds = &daySet{hosts: map[string]bool{}, users: map[string]bool{}}
		r.sets[k] = ds
	}
	ds.hosts[x.HostID] = true
	if x.User != "" {
		ds.users[x.User] = true
	}
	ds.v.merge(n, first, last)
}

func mergeInto[K comparable](m map[K]*rollupVal, k K, n, first, last int64) {
	v := m[k]
	if v == nil {
		v = &rollupVal{}
		m[k] = v
	}
	v.merge(n, first, last)
}

const (
	upsertRollup = `INSERT INTO rollups(day, service, host_id, user, source, count, sightings, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
		count = MIN(count + excluded.count, 9223372036854775807), sightings = sightings + excluded.sightings,
		first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)`
	upsertUsage = `INSERT INTO usage(service, host_id, user, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)`
	// Numbering finds a key first and inserts only what is missing: an
	// upsert that meets a conflict still uses up an AUTOINCREMENT number,
	// and numbers must stay dense.
	touchUser  = `UPDATE users SET first_seen = MIN(first_seen, ?2), last_seen = MAX(last_seen, ?3) WHERE name = ?1 RETURNING n`
	insertUser = `INSERT INTO users(name, first_seen, last_seen) VALUES (?1, ?2, ?3) RETURNING n`
	findHost   = `SELECT n FROM hosts WHERE host_id = ?1`
	insertHost = `INSERT INTO hosts(host_id) VALUES (?1) RETURNING n`
)

func (r *rollup) apply(ctx context.Context, tx *sql.Tx) error {
	err := upsertEach(ctx, tx, upsertRollup, r.days, func(k rollupKey, v *rollupVal) []any {
		return []any{int64(k.day), k.service, k.host, k.user, k.source, v.count, v.sightings, v.first, v.last}
	})
	if err == nil {
		err = upsertEach(ctx, tx, upsertUsage, r.usage, func(k usageKey, v *rollupVal) []any {
			return []any{k.service, k.host, k.user, v.first, v.last}
		})
	}
	if err != nil {
		return err
	}
	hosts, users, err := r.numberAll(ctx, tx)
	if err != nil {
		return err
	}
	if err := r.applyBlocks(ctx, tx, hosts, users); err != nil {
		return err
	}
	if err := r.applySets(ctx, tx, hosts, users); err != nil {
		return err
	}
	return r.markSeen(ctx, tx)
}

func upsertEach[K comparable](ctx context.Context, tx *sql.Tx, query string, m map[K]*rollupVal, args func(K, *rollupVal) []any) error {
	if len(m) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("preparing rollup update: %w", err)
	}
	defer stmt.Close()
	for k, v := range m {
		if _, err := stmt.ExecContext(ctx, args(k, v)...); err != nil {
			return fmt.Errorf("updating rollups: %w", err)
		}
	}
	return nil
}

func (r *rollup) markSeen(ctx context.Context, tx *sql.Tx) error {
	now := time.Now().UnixNano()
	for id := range r.agents {
		if _, err := tx.ExecContext(ctx, "UPDATE agents SET last_seen = ? WHERE id = ?", now, id); err != nil {
			return fmt.Errorf("marking %s seen: %w", id, err)
		}
	}
	return nil
}
