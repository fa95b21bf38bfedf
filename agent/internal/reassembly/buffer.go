// Package reassembly puts byte ranges that arrive out of order, repeated
// or overlapping back into one contiguous prefix, inside a fixed-size
// window. TCP first flights, QUIC CRYPTO streams and IP fragments all use
// it; it never grows past the window and never allocates after Reset.
package reassembly

import "errors"

// MaxHoles bounds the disjoint ranges a buffer tracks: a peer that
// scatters more pieces than this is cut off rather than tracked forever.
const MaxHoles = 16

// Errors Write reports; the bytes that fit are kept in either case.
var (
	// ErrBeyondWindow: part of the write lies past the window's end.
	ErrBeyondWindow = errors.New("reassembly: data beyond the window")
	// ErrTooManyHoles: the write would need more than MaxHoles ranges.
	ErrTooManyHoles = errors.New("reassembly: too many holes")
)

type span struct{ lo, hi int }

// Buffer collects bytes at offsets [0, len(window)).
type Buffer struct {
	data  []byte
	spans [MaxHoles]span
	n     int
}

// Reset gives the buffer a new backing window and forgets all ranges.
func (b *Buffer) Reset(window []byte) {
	b.data = window
	b.n = 0
}

// Window returns the backing window, so the owner can recycle it.
func (b *Buffer) Window() []byte { return b.data }

// Write stores p at offset off. Bytes outside the window are dropped and
// reported with ErrBeyondWindow; negative offsets are clipped.
func (b *Buffer) Write(off int, p []byte) error {
	if off < 0 {
		if -off >= len(p) {
			return nil
		}
		p, off = p[-off:], 0
	}
	var err error
	if off >= len(b.data) {
		return ErrBeyondWindow
	}
	if off+len(p) > len(b.data) {
		p, err = p[:len(b.data)-off], ErrBeyondWindow
	}
	if len(p) == 0 {
		return err
	}
	if !b.insert(span{off, off + len(p)}) {
		return ErrTooManyHoles
	}
	copy(b.data[off:], p)
	return err
}

// insert merges s into the sorted, disjoint span list.
func (b *Buffer) insert(s span) bool {
	i := 0
	for i < b.n && b.spans[i].hi < s.lo {
		i++
	}
	j := i
	for j < b.n && b.spans[j].lo <= s.hi {
		s.lo = min(s.lo, b.spans[j].lo)
		s.hi = max(s.hi, b.spans[j].hi)
		j++
	}
	if i == j { // no overlap: make room at i
		if b.n == MaxHoles {
			return false
		}
		copy(b.spans[i+1:b.n+1], b.spans[i:b.n])
		b.n++
	} else if j-i > 1 { // several merged into one: close the gap
		copy(b.spans[i+1:], b.spans[j:b.n])
		b.n -= j - i - 1
	}
	b.spans[i] = s
	return true
}

// Contiguous is the length of the gap-free prefix starting at offset 0.
func (b *Buffer) Contiguous() int {
	if b.n == 0 || b.spans[0].lo != 0 {
		return 0
	}
	return b.spans[0].hi
}

// Prefix returns the gap-free prefix. It aliases the window.
func (b *Buffer) Prefix() []byte { return b.data[:b.Contiguous()] }

// Consume drops the first n bytes of the prefix and slides everything
// after them to offset 0, so a long stream can be read message by message
// through a fixed window.
func (b *Buffer) Consume(n int) {
	n = min(n, b.Contiguous())
	if n == 0 {
		return
	}
	end := b.spans[b.n-1].hi
	copy(b.data, b.data[n:end])
	k := 0
	for i := 0; i < b.n; i++ {
		s := span{b.spans[i].lo - n, b.spans[i].hi - n}
		if s.hi <= 0 {
			continue
		}
		s.lo = max(s.lo, 0)
		b.spans[k] = s
		k++
	}
	b.n = k
}
