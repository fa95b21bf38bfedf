package netsensor

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// TestBoundedUnderFlood opens far more half-finished first flights, QUIC
// connections and DNS transactions than the tables hold: memory stays
// within the bounds, and what was pushed out is counted.
func TestBoundedUnderFlood(t *testing.T) {
	s := New(catalog(t), func(*observe.Observation) {})
	partial := helloRecord("chatgpt.com", false)[:60] // a hello that never completes
	initial := append([]byte{0xc0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x44, 0xd0}, make([]byte, 1200)...)
	n := 3 * maxTCPFlows
	for i := range n {
		port := uint16(1024 + i%60000)
		src := [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
		ip := func(b []byte) []byte { copy(b[12:16], src[:]); return b }
		q := dnsQuery(uint16(i), "flood.example")
		binary.BigEndian.PutUint16(q, uint16(i))
		for _, p := range [][]byte{
			ip(rawTCP("10.0.0.1", "198.18.0.1", port, 443, 1, 0x02, nil)),
			ip(rawTCP("10.0.0.1", "198.18.0.1", port, 443, 2, 0x18, partial)),
			ip(rawUDP("10.0.0.1", "198.18.0.1", port, 443, initial)),
			ip(rawUDP("10.0.0.1", "10.0.0.53", port, 53, q)),
		} {
			s.Packet(capture.Packet{Data: p, Time: time.Unix(1, int64(i)), LinkType: layers.LinkTypeRaw})
		}
	}
	if s.tcp.Len() > maxTCPFlows || s.quic.Len() > maxQUICConns || s.dnsTxns.Len() > maxDNSTxns {
		t.Errorf("tables grew past their bounds: tcp %d, quic %d, dns %d", s.tcp.Len(), s.quic.Len(), s.dnsTxns.Len())
	}
	if s.windows.inUse > maxWindows {
		t.Errorf("%d reassembly windows in use, at most %d allowed", s.windows.inUse, maxWindows)
	}
	st := s.Stats()
	if st.FlowsEvicted == 0 || st.NoBuffer == 0 {
		t.Errorf("evictions %d, first flights without a buffer %d: the flood should show in both", st.FlowsEvicted, st.NoBuffer)
	}
	t.Logf("%d flows: %d evicted, %d without a buffer, %d QUIC Initials undecryptable", n, st.FlowsEvicted, st.NoBuffer, st.QUICUndecryptable)
}

// TestStaleFlightsGiveWindowsBack: once every window is held by first
// flights that stopped, a new handshake seconds later still gets one.
func TestStaleFlightsGiveWindowsBack(t *testing.T) {
	var got []string
	s := New(catalog(t), func(o *observe.Observation) { got = append(got, string(o.Source)+" "+o.Domain) })
	partial := helloRecord("stale.example", false)[:60]
	for i := range maxWindows {
		port := uint16(1024 + i)
		for _, p := range [][]byte{
			rawTCP("10.0.0.1", "198.18.0.1", port, 443, 1, 0x02, nil),
			rawTCP("10.0.0.1", "198.18.0.1", port, 443, 2, 0x18, partial),
		} {
			s.Packet(capture.Packet{Data: p, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
		}
	}
	if s.windows.inUse != maxWindows {
		t.Fatalf("%d windows in use, want all %d", s.windows.inUse, maxWindows)
	}
	got = nil
	for _, p := range [][]byte{
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 1, 0x02, nil),
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 2, 0x18, helloRecord("claude.ai", false)[:40]),
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 42, 0x18, helloRecord("claude.ai", false)[40:]),
	} {
		s.Packet(capture.Packet{Data: p, Time: time.Unix(10, 0), LinkType: layers.LinkTypeRaw})
	}
	if len(got) == 0 || got[len(got)-1] != "tls claude.ai" {
		t.Errorf("the new handshake was not read; last observations %q", got[max(0, len(got)-3):])
	}
}
