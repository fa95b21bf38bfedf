package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// A day block packs, for one UTC day and one service, what each (host,
// user) of 256 consecutive host numbers did: the rollup at the grain
// host and user queries need, about a hundredth of the rows.
const (
	blockShift = 8
	factSize   = 40
)

// fact is what one host and user did with a service on one day.
type fact struct {
	host, user  int64 // hosts.n, users.n (0: no user)
	count       int64
	first, last int64 // Unix nanoseconds
}

func blockOf(host int64) int64 { return host >> blockShift }

// addCounts adds two observation counts (never negative), stopping at the
// largest int64: an agent that reports absurd counts long enough must not
// make a total wrap negative, or fail the query that sums it.
func addCounts(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// appendFacts encodes fs as stored in day_blocks.facts: five big-endian
// 64-bit integers each.
func appendFacts(b []byte, fs []fact) []byte {
	for _, f := range fs {
		b = binary.BigEndian.AppendUint64(b, uint64(f.host))
		b = binary.BigEndian.AppendUint64(b, uint64(f.user))
		b = binary.BigEndian.AppendUint64(b, uint64(f.count))
		b = binary.BigEndian.AppendUint64(b, uint64(f.first))
		b = binary.BigEndian.AppendUint64(b, uint64(f.last))
	}
	return b
}

// decodeFacts appends the facts of a stored block to dst.
func decodeFacts(dst []fact, b []byte) ([]fact, error) {
	if len(b)%factSize != 0 {
		return dst, fmt.Errorf("day block of %d bytes is not a whole number of %d-byte facts: the database is damaged, restore it from a backup", len(b), factSize)
	}
	for ; len(b) > 0; b = b[factSize:] {
		dst = append(dst, fact{
			host:  int64(binary.BigEndian.Uint64(b)),
			user:  int64(binary.BigEndian.Uint64(b[8:])),
			count: int64(binary.BigEndian.Uint64(b[16:])),
			first: int64(binary.BigEndian.Uint64(b[24:])),
			last:  int64(binary.BigEndian.Uint64(b[32:])),
		})
	}
	return dst, nil
}

// mergeFacts sorts fs by host and user and adds up the facts of the same
// host and user, in place.
func mergeFacts(fs []fact) []fact {
	slices.SortFunc(fs, func(a, b fact) int {
		return cmp.Or(cmp.Compare(a.host, b.host), cmp.Compare(a.user, b.user))
	})
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].host == f.host && out[n-1].user == f.user {
			o := &out[n-1]
			o.count = addCounts(o.count, f.count)
			o.first, o.last = min(o.first, f.first), max(o.last, f.last)
			continue
		}
		out = append(out, f)
	}
	return out
}
