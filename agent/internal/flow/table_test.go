package flow

import "testing"

func TestTableBounded(t *testing.T) {
	tb := NewTable[int, int](100)
	evicted := 0
	for i := range 1000 {
		s := tb.Put(i, int64(i), func(*int) { evicted++ })
		s.V = i
	}
	if tb.Len() != 100 || tb.Evicted != 900 || evicted != 900 {
		t.Fatalf("len %d evicted %d (callback %d), want 100 and 900", tb.Len(), tb.Evicted, evicted)
	}
	// Sampled LRU keeps mostly recent entries.
	recent := 0
	for i := 900; i < 1000; i++ {
		if s := tb.Get(i); s != nil && s.V == i {
			recent++
		}
	}
	if recent < 50 {
		t.Errorf("only %d of the last 100 entries kept", recent)
	}
}

func TestTableReuse(t *testing.T) {
	tb := NewTable[int, [64]byte](16)
	for i := range 16 {
		tb.Put(i, 0, nil)
	}
	allocs := testing.AllocsPerRun(100, func() {
		tb.Delete(3)
		tb.Put(3, 1, nil)
		_ = tb.Get(5)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per delete+put+get, want 0", allocs)
	}
}
