// Package flow keeps per-flow state (TCP streams, QUIC connections, DNS
// transactions, the IP-to-name map) in tables of fixed capacity. A full
// table evicts its least recently used entry among a small random sample,
// so memory stays bounded whatever the traffic and no per-packet list
// bookkeeping is needed.
package flow

// sample is how many entries eviction looks at: like Redis's approximated
// LRU, 8 random entries find an old one with high probability.
const sample = 8

// Table maps keys to values, at most Cap of them. Values live in slots
// that are recycled, so a steady-state table does not allocate.
type Table[K comparable, V any] struct {
	m    map[K]*Slot[V]
	free []*Slot[V]
	cap  int
	// Evicted counts entries pushed out to make room.
	Evicted uint64
}

// Slot holds one value and when it was last used (a caller-chosen clock,
// usually capture time in nanoseconds).
type Slot[V any] struct {
	V    V
	Last int64
}

// NewTable returns a table for at most capacity entries.
func NewTable[K comparable, V any](capacity int) *Table[K, V] {
	return &Table[K, V]{m: make(map[K]*Slot[V], min(capacity, 1024)), cap: max(capacity, 1)}
}

// Get returns the slot for k, or nil.
func (t *Table[K, V]) Get(k K) *Slot[V] { return t.m[k] }

// Len is the number of entries.
func (t *Table[K, V]) Len() int { return len(t.m) }

// Put returns a zeroed slot for k (replacing any existing one), evicting
// an old entry when the table is full. onEvict, when not nil, sees the
// value being pushed out so it can recycle buffers.
func (t *Table[K, V]) Put(k K, now int64, onEvict func(*V)) *Slot[V] {
	if s, ok := t.m[k]; ok {
		if onEvict != nil {
			onEvict(&s.V)
		}
		var zero V
		s.V, s.Last = zero, now
		return s
	}
	if len(t.m) >= t.cap {
		t.evictOne(onEvict)
	}
	var s *Slot[V]
	if n := len(t.free); n > 0 {
		s, t.free = t.free[n-1], t.free[:n-1]
	} else {
		s = new(Slot[V])
	}
	s.Last = now
	t.m[k] = s
	return s
}

// Delete removes k and recycles its slot.
func (t *Table[K, V]) Delete(k K) {
	s, ok := t.m[k]
	if !ok {
		return
	}
	delete(t.m, k)
	var zero V
	s.V = zero
	t.free = append(t.free, s)
}

func (t *Table[K, V]) evictOne(onEvict func(*V)) {
	var oldest K
	var found bool
	var last int64
	i := 0
	for k, s := range t.m {
		if !found || s.Last < last {
			oldest, last, found = k, s.Last, true
		}
		if i++; i == sample {
			break
		}
	}
	if !found {
		return
	}
	if onEvict != nil {
		onEvict(&t.m[oldest].V)
	}
	t.Delete(oldest)
	t.Evicted++
}

// Range calls fn for every entry until it returns false. fn may delete
// the entry it is given.
func (t *Table[K, V]) Range(fn func(K, *Slot[V]) bool) {
	for k, s := range t.m {
		if !fn(k, s) {
			return
		}
	}
}
