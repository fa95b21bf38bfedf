package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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
		all.Count = uint64(addCounts(int64(all.Count), int64(ss.Count)))
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
// services q selects (q.By is ignored), at most limit of them. Each lists
// its services, most observed first.
func (s *Store) TopBy(ctx context.Context, q Query, key string, limit int) ([]Top, error) {
	if key != "user" && key != "host" {
		return nil, fmt.Errorf("unknown ranking key %q", key)
	}
	q.By = "service"
	sel, err := s.selection(ctx, q)
	if err != nil || sel.none {
		return nil, err
	}
	sv := &services{}
	if q.NewOnly {
		if fresh, err := s.onlyNew(ctx, q, &sel, sv); err != nil || len(fresh) == 0 {
			return nil, err
		}
	}
	ranks, others := map[int64]*rank{}, seen{}
	err = s.scanFacts(ctx, sel, sv, func(svc int32, f *fact) {
		k := f.host
		if key == "user" {
			k = f.user
		}
		if k == 0 && key == "user" {
			return
		}
		r := ranks[k]
		if r == nil {
			r = &rank{at: int32(len(ranks)), services: map[int32]int64{}}
			ranks[k] = r
		}
		r.add(svc, f, others)
	})
	if err != nil {
		return nil, err
	}
	return s.topRows(ctx, key, ranks, sv, limit)
}

// rank is one user or host being ranked.
type rank struct {
	group
	at       int32           // its number among the ranks
	services map[int32]int64 // observations per service
}

func (r *rank) add(svc int32, f *fact, others seen) {
	r.group.add(f, r.at, others)
	r.services[svc] = addCounts(r.services[svc], f.count)
}

func (s *Store) topRows(ctx context.Context, key string, ranks map[int64]*rank, sv *services, limit int) ([]Top, error) {
	keys := make([]int64, 0, len(ranks))
	for k := range ranks {
		keys = append(keys, k)
	}
	names, err := s.keyNames(ctx, key, keys)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(ranks[keys[b]].count, ranks[keys[a]].count), strings.Compare(names[a], names[b]))
	})
	out := make([]Top, 0, min(limit, len(keys)))
	for _, i := range order[:min(limit, len(keys))] {
		r := ranks[keys[i]]
		t := Top{Key: names[i], Hosts: uint64(r.hosts), Users: uint64(r.users), Count: uint64(r.count)}
		t.Services = rankedServices(r.services, sv)
		out = append(out, t)
	}
	if key == "host" {
		return out, s.nameTops(ctx, out)
	}
	return out, nil
}

// rankedServices lists service ids by observations, most first.
func rankedServices(counts map[int32]int64, sv *services) []string {
	ids := make([]int32, 0, len(counts))
	for i := range counts {
		ids = append(ids, i)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(sv.ids[a], sv.ids[b]))
	})
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = sv.ids[id]
	}
	return out
}

// nameTops fills the Hostname of host rankings from their Key.
func (s *Store) nameTops(ctx context.Context, tops []Top) error {
	ids := make([]string, len(tops))
	for i, t := range tops {
		ids[i] = t.Key
	}
	names, err := s.hostnames(ctx, ids)
	for i := range tops {
		tops[i].Hostname = names[tops[i].Key]
	}
	return err
}
