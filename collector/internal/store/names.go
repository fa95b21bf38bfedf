package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// maxCachedNames bounds each cache of numberNames; past it the cache
// starts over.
const maxCachedNames = 1 << 20

// numberNames caches the ids behind host and user numbers for queries that
// return thousands of rows. Numbers are never reused (AUTOINCREMENT), so a
// cached id never goes stale, even when another process prunes.
type numberNames struct {
	mu    sync.Mutex // guards all fields
	hosts map[int64]string
	users map[int64]string
	// hostnames is the cache of allHostnames, read at hostnamesVersion.
	hostnames        map[string]string
	hostnamesVersion int64
}

// nameQueries read, per table, every (number, id), or those of the
// numbers in a JSON array.
var nameQueries = map[string][2]string{
	"hosts": {"SELECT n, host_id FROM hosts", "SELECT n, host_id FROM hosts WHERE n IN (SELECT value FROM json_each(?))"},
	"users": {"SELECT n, name FROM users", "SELECT n, name FROM users WHERE n IN (SELECT value FROM json_each(?))"},
}

// readAllNamesFrom is how many missing numbers make reading the whole
// table cheaper than looking each up (a variable for tests).
var readAllNamesFrom = 1000

// lookup returns the ids of ns in table ("hosts" or "users"), in the
// same order. Number 0 (no user) is "".
func (s *Store) lookup(ctx context.Context, table string, ns []int64) ([]string, error) {
	s.names.mu.Lock()
	defer s.names.mu.Unlock()
	cache := &s.names.hosts
	if table == "users" {
		cache = &s.names.users
	}
	if *cache == nil || len(*cache) > maxCachedNames {
		*cache = map[int64]string{0: ""}
	}
	missing := map[int64]bool{}
	for _, n := range ns {
		if _, ok := (*cache)[n]; !ok {
			missing[n] = true
		}
	}
	if err := s.fillNames(ctx, nameQueries[table], missing, *cache); err != nil {
		return nil, fmt.Errorf("naming %s: %w", table, err)
	}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = (*cache)[n]
	}
	return out, nil
}

// fillNames reads the ids of the missing numbers into cache.
func (s *Store) fillNames(ctx context.Context, queries [2]string, missing map[int64]bool, cache map[int64]string) error {
	if len(missing) == 0 {
		return nil
	}
	query, args := queries[0], []any(nil)
	if len(missing) < readAllNamesFrom {
		j, _ := json.Marshal(keysOf(missing))
		query, args = queries[1], []any{string(j)}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := make(map[int64]string, len(missing))
	for rows.Next() {
		var n int64
		var id string
		if err := rows.Scan(&n, &id); err != nil {
			return err
		}
		found[n] = id
		cache[n] = id
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for n := range missing {
		id, ok := found[n]
		if !ok {
			// Retention keeps every number the retained blocks use; a
			// gap means a damaged database, and the number is all we have.
			id = fmt.Sprintf("#%d", n)
		}
		cache[n] = id
	}
	return nil
}

// hostnames maps host ids to the hostname of their newest agent, or to
// themselves when no agent has them. Many ids are answered from a copy of
// every host's hostname, read again only when agents changed.
func (s *Store) hostnames(ctx context.Context, ids []string) (map[string]string, error) {
	if len(ids) < hostnamesCachedFrom {
		return s.readHostnames(ctx, ids)
	}
	all, err := s.allHostnames(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if name, ok := all[id]; ok {
			out[id] = name
		} else {
			out[id] = id
		}
	}
	return out, nil
}

// hostnamesCachedFrom is where reading every hostname gets cheaper than
// looking up each.
const hostnamesCachedFrom = 500

func (s *Store) readHostnames(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = id
	}
	if len(ids) == 0 {
		return out, nil
	}
	j, _ := json.Marshal(ids)
	return out, s.scanHostnames(ctx, out, `SELECT a.host_id, a.hostname FROM json_each(?) j
		JOIN agents a ON a.host_id = j.value ORDER BY a.enrolled_at`, string(j))
}

// allHostnames is every host's hostname, cached while the agents table's
// version (bumped by triggers on every change of a hostname) stays put.
func (s *Store) allHostnames(ctx context.Context) (map[string]string, error) {
	var version int64
	// The version first: a change racing the read below only causes one
	// more read later.
	if err := s.r.QueryRowContext(ctx, "SELECT version FROM versions WHERE name = 'hostnames'").Scan(&version); err != nil {
		return nil, fmt.Errorf("reading the hostnames version: %w", err)
	}
	s.names.mu.Lock()
	defer s.names.mu.Unlock()
	if s.names.hostnames != nil && s.names.hostnamesVersion == version {
		return s.names.hostnames, nil
	}
	all := map[string]string{}
	if err := s.scanHostnames(ctx, all, "SELECT host_id, hostname FROM agents ORDER BY enrolled_at"); err != nil {
		return nil, err
	}
	s.names.hostnames, s.names.hostnamesVersion = all, version
	return all, nil
}

// scanHostnames reads (host id, hostname) rows, oldest enrollment first,
// into out: the newest enrollment wins.
func (s *Store) scanHostnames(ctx context.Context, out map[string]string, query string, args ...any) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading hostnames: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("reading hostnames: %w", err)
		}
		out[id] = name
	}
	return rows.Err()
}

// keyNames is the host id or user name of each key of a grouping by
// "host" or "user" (empty names otherwise).
func (s *Store) keyNames(ctx context.Context, by string, keys []int64) ([]string, error) {
	switch by {
	case "host":
		return s.lookup(ctx, "hosts", keys)
	case "user":
		return s.lookup(ctx, "users", keys)
	}
	return make([]string, len(keys)), nil
}
