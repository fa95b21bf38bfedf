package store

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// group is one inventory row being added up. It holds no pointers, so a
// slice of 30,000 of them is cheap to grow and for the GC to skip.
type group struct {
	count, first, last int64
	// The first host and user seen, and how many distinct ones; the
	// others are in a seen set shared by all groups.
	host, user   int64
	hosts, users int32
}

// seen holds the second and further distinct hosts and users of groups:
// most groups have one of each, and need no entry.
type seen map[seenKey]struct{}

type seenKey struct {
	group int32
	user  bool
	n     int64
}

// add says whether n is new to the hosts (user false) or users of group.
func (s seen) add(group int32, user bool, n int64) bool {
	k := seenKey{group, user, n}
	if _, ok := s[k]; ok {
		return false
	}
	s[k] = struct{}{}
	return true
}

// add counts f into g, the group at position at.
func (g *group) add(f *fact, at int32, others seen) {
	if g.hosts == 0 {
		g.first, g.last = f.first, f.last
	}
	g.count = addCounts(g.count, f.count)
	g.first, g.last = min(g.first, f.first), max(g.last, f.last)
	switch {
	case g.hosts == 0:
		g.host, g.hosts = f.host, 1
	case f.host != g.host && others.add(at, false, f.host):
		g.hosts++
	}
	switch {
	case f.user == 0:
	case g.users == 0:
		g.user, g.users = f.user, 1
	case f.user != g.user && others.add(at, true, f.user):
		g.users++
	}
}

type groupKey struct {
	svc int32
	key int64 // host or user number; 0 when grouped by service
}

// groupTable adds facts up per (service, key). Host and user numbers are
// dense (they count up from 1), so most keys find their group by indexing
// a slice per service; the rare large numbers go through a map. Groups
// live in chunks, which grow without copying.
type groupTable struct {
	dense  [][]int32 // per service, by key: position + 1
	index  map[groupKey]int32
	chunks [][]group
	keys   []groupKey
	others seen
	// closed: facts of keys without a group are left out.
	closed bool
}

const (
	// denseKeys bounds the slice per service (4 bytes a key).
	denseKeys = 1 << 18
	chunkBits = 12
)

func (gt *groupTable) len() int { return len(gt.keys) }

// at is the group at position i.
func (gt *groupTable) at(i int32) *group { return &gt.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

// only makes groups for keys and closes the table to others.
func (gt *groupTable) only(keys []groupKey) {
	for _, k := range keys {
		gt.position(k)
	}
	gt.closed = true
}

// add counts f into the group of k.
func (gt *groupTable) add(k groupKey, f *fact) {
	if i := gt.position(k); i >= 0 {
		gt.at(i).add(f, i, gt.others)
	}
}

// position is the position of k's group, made when missing unless the
// table is closed (then -1).
func (gt *groupTable) position(k groupKey) int32 {
	if k.key < 0 || k.key >= denseKeys {
		return gt.sparse(k)
	}
	for int(k.svc) >= len(gt.dense) {
		gt.dense = append(gt.dense, nil)
	}
	d := gt.dense[k.svc]
	if int(k.key) >= len(d) {
		if gt.closed {
			return -1
		}
		grown := make([]int32, max(int(k.key)+1, 2*len(d), 1024))
		copy(grown, d)
		d, gt.dense[k.svc] = grown, grown
	}
	if d[k.key] == 0 && !gt.closed {
		d[k.key] = gt.grow(k) + 1
	}
	return d[k.key] - 1
}

func (gt *groupTable) sparse(k groupKey) int32 {
	i, ok := gt.index[k]
	if !ok {
		if gt.closed {
			return -1
		}
		if gt.index == nil {
			gt.index = map[groupKey]int32{}
		}
		i = gt.grow(k)
		gt.index[k] = i
	}
	return i
}

func (gt *groupTable) grow(k groupKey) int32 {
	i := int32(len(gt.keys))
	if int(i)>>chunkBits == len(gt.chunks) {
		gt.chunks = append(gt.chunks, make([]group, 1<<chunkBits))
	}
	gt.keys = append(gt.keys, k)
	return i
}

// order returns the positions of the groups, most observed first, then by
// service and name. Count and service make one integer key for a radix
// sort; only groups with the same count and service compare names.
func (gt *groupTable) order(sv *services, names []string) []int32 {
	svcRank := ranks(sv.ids)
	var most, least int64
	for i := range gt.len() {
		c := gt.at(int32(i)).count
		most, least = max(most, c), min(least, c)
	}
	svcBits := uint(bits.Len(uint(len(sv.ids))))
	keys := make([]ranked, 0, gt.len())
	for i := range gt.len() {
		// Empty: made for a new key whose facts other filters left out.
		if g := gt.at(int32(i)); g.hosts > 0 {
			keys = append(keys, ranked{uint64(most-g.count)<<svcBits | uint64(svcRank[gt.keys[i].svc]), int32(i)})
		}
	}
	if least < 0 || most >= 1<<(63-svcBits) {
		// Counts that cannot share a key with the service: compare.
		slices.SortStableFunc(keys, func(a, b ranked) int {
			ga, gb := gt.at(a.at), gt.at(b.at)
			return cmp.Or(cmp.Compare(gb.count, ga.count), cmp.Compare(svcRank[gt.keys[a.at].svc], svcRank[gt.keys[b.at].svc]))
		})
	} else {
		keys = radixSort(keys)
	}
	out := make([]int32, len(keys))
	for i, k := range keys {
		out[i] = k.at
	}
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && gt.at(out[j]).count == gt.at(out[i]).count && gt.keys[out[j]].svc == gt.keys[out[i]].svc {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(out[i:j], func(a, b int32) int { return strings.Compare(names[a], names[b]) })
		}
		i = j
	}
	return out
}

// ranks gives each string its position in sorted order.
func ranks(xs []string) []int32 {
	idx := make([]int32, len(xs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(xs[a], xs[b]) })
	out := make([]int32, len(xs))
	for r, j := range idx {
		out[j] = int32(r)
	}
	return out
}

// fill sets r to g as an inventory row; meta has the service's fields.
func (g *group) fill(r *Row, meta *Row) {
	*r = *meta
	r.Count = uint64(g.count)
	r.Hosts, r.Users = uint64(g.hosts), uint64(g.users)
	r.FirstSeen, r.LastSeen = time.Unix(0, g.first).UTC(), time.Unix(0, g.last).UTC()
}
