package store

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

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
