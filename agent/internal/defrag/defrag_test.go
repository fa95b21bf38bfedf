package defrag

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/shadowai/shadowai/agent/internal/decode"
)

func fragment(id uint32, off int, more bool, data []byte) *decode.Packet {
	return &decode.Packet{
		Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), Proto: decode.ProtoUDP,
		Frag: decode.Frag{ID: id, Offset: off, More: more, IsFrag: true}, Payload: data,
	}
}

func TestReassembly(t *testing.T) {
	whole := bytes.Repeat([]byte("0123456789abcdef"), 200) // 3200 bytes
	tests := []struct {
		name  string
		order []int // fragment indexes, 1480 bytes each
		done  bool
	}{
		{"in order", []int{0, 1, 2}, true},
		{"last first", []int{2, 0, 1}, true},
		{"duplicated", []int{0, 0, 2, 1, 1}, true},
		{"missing middle", []int{0, 2}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := New()
			var got []byte
			var done bool
			for _, i := range tc.order {
				lo, hi := i*1480, min((i+1)*1480, len(whole))
				if b, ok := r.Add(fragment(7, lo, hi < len(whole), whole[lo:hi]), 1); ok {
					got, done = append([]byte(nil), b...), true
				}
			}
			if done != tc.done || (done && !bytes.Equal(got, whole)) {
				t.Errorf("done %v, %d bytes", done, len(got))
			}
		})
	}
}

func TestTimeoutAndBound(t *testing.T) {
	r := New()
	r.Add(fragment(1, 0, true, make([]byte, 8)), 0)
	if _, ok := r.Add(fragment(1, 8, false, make([]byte, 8)), Timeout+1); ok {
		t.Error("a fragment 30 s late completed a datagram")
	}
	for i := range MaxInFlight * 3 {
		r.Add(fragment(uint32(100+i), 0, true, make([]byte, 8)), 2)
	}
	if st := r.Stats(); r.table.Len() > MaxInFlight || st.Dropped < MaxInFlight {
		t.Errorf("%d in flight, stats %+v", r.table.Len(), st)
	}
	if len(r.windows) > MaxInFlight+1 {
		t.Errorf("%d windows kept", len(r.windows))
	}
}
