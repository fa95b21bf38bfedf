// Package defrag reassembles fragmented IPv4 and IPv6 datagrams (DNS
// responses larger than the path MTU arrive this way). It keeps a bounded
// number of datagrams in flight, drops those that stay incomplete, and
// counts what it dropped.
package defrag

import (
	"net/netip"

	"github.com/shadowai/shadowai/agent/internal/decode"
	"github.com/shadowai/shadowai/agent/internal/flow"
	"github.com/shadowai/shadowai/agent/internal/reassembly"
)

// Limits.
const (
	// MaxDatagram is the largest IP payload reassembled.
	MaxDatagram = 65535
	// MaxInFlight bounds the datagrams being reassembled at once.
	MaxInFlight = 64
	// Timeout drops a datagram whose fragments stop arriving (RFC 791
	// suggests 15 s; Linux uses 30 s).
	Timeout = 30e9
)

// Stats counts fragments and what became of them.
type Stats struct {
	Fragments   uint64 `json:"fragments"`
	Reassembled uint64 `json:"reassembled"`
	Dropped     uint64 `json:"fragments_dropped"`
}

type key struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
}

type datagram struct {
	buf   reassembly.Buffer
	total int // -1 until the last fragment arrives
	first int64
}

// Reassembler collects fragments. It is not safe for concurrent use.
type Reassembler struct {
	table   *flow.Table[key, datagram]
	windows [][]byte
	out     []byte
	stats   Stats
}

// New returns an empty reassembler.
func New() *Reassembler {
	return &Reassembler{table: flow.NewTable[key, datagram](MaxInFlight)}
}

// Stats returns the counters so far; evicted datagrams count as dropped.
func (r *Reassembler) Stats() Stats {
	s := r.stats
	s.Dropped += r.table.Evicted
	return s
}

// Add takes the fragment p (p.Frag.IsFrag set) seen at now (nanoseconds).
// When it completes a datagram it returns the whole IP payload, valid
// until the next call.
func (r *Reassembler) Add(p *decode.Packet, now int64) ([]byte, bool) {
	r.stats.Fragments++
	k := key{src: p.Src, dst: p.Dst, id: p.Frag.ID, proto: p.Proto}
	s := r.table.Get(k)
	if s != nil && now-s.V.first > Timeout {
		r.drop(k, &s.V)
		s = nil
	}
	if s == nil {
		s = r.table.Put(k, now, r.recycle)
		s.V.total, s.V.first = -1, now
		s.V.buf.Reset(r.window())
	}
	d := &s.V
	s.Last = now
	if err := d.buf.Write(p.Frag.Offset, p.Payload); err != nil {
		r.drop(k, d)
		return nil, false
	}
	if !p.Frag.More {
		d.total = p.Frag.Offset + len(p.Payload)
	}
	if d.total < 0 || d.buf.Contiguous() < d.total {
		return nil, false
	}
	r.out = append(r.out[:0], d.buf.Prefix()[:d.total]...)
	r.recycle(d)
	r.table.Delete(k)
	r.stats.Reassembled++
	return r.out, true
}

func (r *Reassembler) drop(k key, d *datagram) {
	r.stats.Dropped++
	r.recycle(d)
	r.table.Delete(k)
}

func (r *Reassembler) window() []byte {
	if n := len(r.windows); n > 0 {
		w := r.windows[n-1]
		r.windows = r.windows[:n-1]
		return w
	}
	return make([]byte, MaxDatagram)
}

func (r *Reassembler) recycle(d *datagram) {
	if w := d.buf.Window(); w != nil {
		r.windows = append(r.windows, w)
		d.buf.Reset(nil)
	}
}
