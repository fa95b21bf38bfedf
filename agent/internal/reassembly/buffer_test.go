package reassembly

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestWriteOrders(t *testing.T) {
	msg := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	tests := []struct {
		name   string
		pieces [][2]int // [lo, hi) of msg, in arrival order
		want   int      // contiguous length after all pieces
	}{
		{"in order", [][2]int{{0, 10}, {10, 20}, {20, 36}}, 36},
		{"reversed", [][2]int{{20, 36}, {10, 20}, {0, 10}}, 36},
		{"overlapping retransmission", [][2]int{{0, 12}, {5, 20}, {0, 12}, {18, 36}}, 36},
		{"hole stays", [][2]int{{0, 10}, {20, 36}}, 10},
		{"nothing at zero", [][2]int{{1, 36}}, 0},
		{"filled in the middle", [][2]int{{0, 5}, {30, 36}, {10, 15}, {5, 10}, {15, 30}}, 36},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b Buffer
			b.Reset(make([]byte, 64))
			for _, p := range tc.pieces {
				if err := b.Write(p[0], msg[p[0]:p[1]]); err != nil {
					t.Fatalf("write %v: %v", p, err)
				}
			}
			if got := b.Prefix(); !bytes.Equal(got, msg[:tc.want]) {
				t.Errorf("prefix %q, want %q", got, msg[:tc.want])
			}
		})
	}
}

func TestWindowAndHoles(t *testing.T) {
	var b Buffer
	b.Reset(make([]byte, 8))
	if err := b.Write(4, []byte("abcdefgh")); !errors.Is(err, ErrBeyondWindow) {
		t.Errorf("overflowing write: err = %v", err)
	}
	if err := b.Write(-2, []byte("xyzw12")); err != nil || string(b.Prefix()) != "zw12abcd" {
		t.Errorf("clipped write: err = %v, prefix %q", err, b.Prefix())
	}
	b.Reset(make([]byte, 1000))
	var err error
	for i := 0; i <= MaxHoles && err == nil; i++ {
		err = b.Write(10*i+5, []byte("x"))
	}
	if !errors.Is(err, ErrTooManyHoles) {
		t.Errorf("scattered writes: err = %v, want ErrTooManyHoles", err)
	}
}

func TestConsume(t *testing.T) {
	var b Buffer
	b.Reset(make([]byte, 16))
	b.Write(0, []byte("hello"))
	b.Write(8, []byte("world"))
	b.Consume(3)
	if string(b.Prefix()) != "lo" {
		t.Fatalf("prefix after consume %q", b.Prefix())
	}
	b.Write(2, []byte("XYZ"))
	if string(b.Prefix()) != "loXYZworld" {
		t.Errorf("prefix %q", b.Prefix())
	}
}

// TestRandomPermutations writes a message cut at random points, shuffled
// and partly duplicated, and expects it back.
func TestRandomPermutations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	msg := make([]byte, 4000)
	for i := range msg {
		msg[i] = byte(r.IntN(256))
	}
	for range 200 {
		cuts := []int{0, len(msg)}
		for range r.IntN(MaxHoles - 1) {
			cuts = append(cuts, r.IntN(len(msg)))
		}
		pieces := pieces(cuts)
		r.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
		var b Buffer
		b.Reset(make([]byte, len(msg)))
		for _, p := range append(pieces, pieces[:len(pieces)/2]...) {
			if err := b.Write(p[0], msg[p[0]:p[1]]); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(b.Prefix(), msg) {
			t.Fatalf("reassembled %d bytes of %d from %v", b.Contiguous(), len(msg), pieces)
		}
	}
}

func pieces(cuts []int) [][2]int {
	sortInts(cuts)
	var out [][2]int
	for i := 1; i < len(cuts); i++ {
		if cuts[i] > cuts[i-1] {
			out = append(out, [2]int{cuts[i-1], cuts[i]})
		}
	}
	return out
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// FuzzBuffer checks the invariants under arbitrary writes: the prefix is
// always what was written there, and nothing panics.
func FuzzBuffer(f *testing.F) {
	f.Add([]byte{0, 5, 10, 3, 2, 8, 0, 20})
	f.Add([]byte{200, 100, 0, 255, 3, 3, 3, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		// The byte at stream position i is always byte(i), whatever piece
		// carries it.
		var b Buffer
		b.Reset(make([]byte, 200))
		for i := 0; i+1 < len(ops); i += 2 {
			off, n := int(ops[i])-20, int(ops[i+1])%64
			p := make([]byte, n)
			for j := range p {
				p[j] = byte(off + j)
			}
			b.Write(off, p)
		}
		p := b.Prefix()
		for i := range p {
			if p[i] != byte(i) {
				t.Fatalf("prefix %v is not the reference", p)
			}
		}
	})
}
