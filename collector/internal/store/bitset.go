package store

import "math/bits"

// Bitset is a set of small integers: bit i of byte i/8.
type Bitset []byte

// Set adds i.
func (b Bitset) Set(i int64) Bitset {
	for int64(len(b)) <= i/8 {
		b = append(b, 0)
	}
	b[i/8] |= 1 << (i % 8)
	return b
}

// Or adds every member of o.
func (b Bitset) Or(o []byte) Bitset {
	for len(b) < len(o) {
		b = append(b, 0)
	}
	for i, x := range o {
		b[i] |= x
	}
	return b
}

// Count is the number of members.
func (b Bitset) Count() uint64 {
	var n int
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return uint64(n)
}
