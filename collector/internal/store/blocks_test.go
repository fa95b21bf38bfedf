package store

import (
	"bytes"
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

func TestFactsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   []fact
	}{
		{"none", nil},
		{"one", []fact{{host: 1, user: 2, count: 3, first: 4, last: 5}}},
		{"extremes", []fact{{host: 1<<63 - 1, user: 0, count: 1<<63 - 1, first: -1 << 63, last: -1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := appendFacts(nil, tc.in)
			if len(b) != factSize*len(tc.in) {
				t.Fatalf("%d bytes for %d facts", len(b), len(tc.in))
			}
			got, err := decodeFacts(nil, b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(tc.in, got, gocmp.AllowUnexported(fact{})); diff != "" {
				t.Errorf("round trip (-in +out):\n%s", diff)
			}
		})
	}
}

func TestMergeFacts(t *testing.T) {
	in := []fact{
		{host: 9, user: 1, count: 1, first: 50, last: 60},
		{host: 3, user: 2, count: 2, first: 10, last: 20},
		{host: 9, user: 1, count: 4, first: 40, last: 55},
		{host: 3, user: 0, count: 1, first: 5, last: 5},
	}
	want := []fact{
		{host: 3, user: 0, count: 1, first: 5, last: 5},
		{host: 3, user: 2, count: 2, first: 10, last: 20},
		{host: 9, user: 1, count: 5, first: 40, last: 60},
	}
	if diff := gocmp.Diff(want, mergeFacts(in), gocmp.AllowUnexported(fact{})); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
}

func TestDecodeFactsRejectsPartial(t *testing.T) {
	_, err := decodeFacts(nil, make([]byte, factSize+3))
	if err == nil || !strings.Contains(err.Error(), "restore it from a backup") {
		t.Errorf("43 bytes: %v, want an error saying what to do", err)
	}
}

// FuzzDecodeFacts: a stored block is bytes from disk; whatever they are,
// decoding never panics, and what decodes encodes back to the same bytes.
func FuzzDecodeFacts(f *testing.F) {
	f.Add([]byte{})
	f.Add(appendFacts(nil, []fact{{host: 257, user: 3, count: 12, first: 1795046400000000000, last: 1795046440000000000}}))
	f.Add(make([]byte, factSize-1))
	f.Add(bytes.Repeat([]byte{0xff}, 2*factSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := decodeFacts(nil, b)
		if err != nil {
			return
		}
		if again := appendFacts(nil, fs); !bytes.Equal(again, b) {
			t.Fatalf("decoded %x, encoded back %x", b, again)
		}
		mergeFacts(fs)
	})
}

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 100, 5000} {
		for _, keyBits := range []int{1, 8, 20, 63} {
			xs := make([]ranked, n)
			for i := range xs {
				xs[i] = ranked{rng.Uint64() >> (64 - keyBits), int32(i)}
			}
			want := slices.Clone(xs)
			slices.SortStableFunc(want, func(a, b ranked) int { return cmp.Compare(a.key, b.key) })
			if got := radixSort(xs); !slices.Equal(got, want) {
				t.Errorf("%d keys of %d bits: not sorted stably", n, keyBits)
			}
		}
	}
}

// TestCountsSaturate: counts that add up past the largest int64 (an agent
// that reports absurd counts for long enough) stop there, in every total,
// instead of wrapping negative or failing the query.
func TestCountsSaturate(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	const big = 1 << 62
	ingest(t, st, "agt-1", "h1", 1, sighting("chatgpt", "alice", day0, big))
	ingest(t, st, "agt-1", "h1", 2, sighting("chatgpt", "alice", day0, big))
	ingest(t, st, "agt-1", "h1", 3, sighting("chatgpt", "alice", day0.Add(24*time.Hour), big))
	d := DayOf(day0)
	for _, q := range []Query{{}, {From: d, To: d + 2}, {By: "host"}, {By: "user", From: d, To: d + 1}} {
		rows, err := st.Query(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if len(rows) != 1 || rows[0].Count != math.MaxInt64 {
			t.Errorf("%+v: %+v, want one row counting %d", q, rows, int64(math.MaxInt64))
		}
	}
	tops, err := st.TopBy(ctx, Query{}, "user", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(tops) != 1 || tops[0].Count != math.MaxInt64 {
		t.Errorf("top users %+v, want alice counting %d", tops, int64(math.MaxInt64))
	}
	trend, err := st.WeeklyTrend(ctx, d, 1)
	if err != nil {
		t.Fatal(err)
	}
	if trend[0].Count != math.MaxInt64 {
		t.Errorf("week total %d, want %d", trend[0].Count, int64(math.MaxInt64))
	}
}
