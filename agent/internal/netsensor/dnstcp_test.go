package netsensor

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// dnsQuery is a query for name with the given ID.
func dnsQuery(id uint16, name string) []byte {
	m := binary.BigEndian.AppendUint16(nil, id)
	m = append(m, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0)
	m = append(m, dnsAnswer(name, [4]byte{})[12:]...)
	m = m[:len(m)-16] // keep the question, drop dnsAnswer's record
	return m
}

func lengthPrefixed(msgs ...[]byte) []byte {
	var out []byte
	for _, m := range msgs {
		out = binary.BigEndian.AppendUint16(out, uint16(len(m)))
		out = append(out, m...)
	}
	return out
}

// TestDNSOverTCP: several messages per segment, a message split over
// segments that arrive out of order, and a retransmission.
func TestDNSOverTCP(t *testing.T) {
	stream := lengthPrefixed(dnsQuery(1, "chatgpt.com"), dnsQuery(2, "claude.ai"), dnsQuery(3, "gemini.google.com"))
	cut := len(stream) - 10
	segs := []struct {
		off  int
		data []byte
	}{
		{cut, stream[cut:]}, // the tail first
		{0, stream[:cut]},
		{0, stream[:cut]}, // retransmitted
	}
	var got []string
	s := New(catalog(t), func(o *observe.Observation) { got = append(got, string(o.Source)+" "+o.Domain) })
	pkts := [][]byte{rawTCP("10.0.0.2", "10.0.0.53", 40000, 53, 999, 0x02, nil)}
	for _, sg := range segs {
		pkts = append(pkts, rawTCP("10.0.0.2", "10.0.0.53", 40000, 53, 1000+uint32(sg.off), 0x18, sg.data))
	}
	for _, p := range pkts {
		s.Packet(capture.Packet{Data: p, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
	}
	want := []string{"dns chatgpt.com", "dns claude.ai", "dns gemini.google.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
}

// TestDNSQueryAndResponseCountOnce: a query, its duplicate, and its
// response make one observation; a response whose query was not seen
// makes one, from the client's side.
func TestDNSQueryAndResponseCountOnce(t *testing.T) {
	q := dnsQuery(7, "chatgpt.com")
	a := dnsAnswer("chatgpt.com", [4]byte{198, 18, 0, 1})
	orphan := dnsAnswer("claude.ai", [4]byte{198, 18, 0, 2})
	orphan[1] = 9
	var got []string
	s := New(catalog(t), func(o *observe.Observation) {
		got = append(got, string(o.Source)+" "+o.Domain+" "+o.SrcIP.String()+">"+o.DstIP.String())
	})
	for _, p := range [][]byte{
		rawUDP("10.0.0.2", "10.0.0.53", 5353, 53, q), rawUDP("10.0.0.2", "10.0.0.53", 5353, 53, q),
		rawUDP("10.0.0.53", "10.0.0.2", 53, 5353, a), rawUDP("10.0.0.53", "10.0.0.2", 53, 5354, orphan),
	} {
		s.Packet(capture.Packet{Data: p, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
	}
	want := []string{"dns chatgpt.com 10.0.0.2>10.0.0.53", "dns claude.ai 10.0.0.2>10.0.0.53"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	if st := s.Stats(); st.DNSDuplicates != 2 || st.DNSResponsesOnly != 1 {
		t.Errorf("duplicates %d (want 2: the repeated query and the response), responses only %d (want 1)", st.DNSDuplicates, st.DNSResponsesOnly)
	}
}

// TestPortReuse: a second connection on the same ports, its
// predecessor's FIN never captured, is read as a new connection.
func TestPortReuse(t *testing.T) {
	var got []string
	s := New(catalog(t), func(o *observe.Observation) { got = append(got, o.Domain) })
	for _, p := range [][]byte{
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 99, 0x02, nil),
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 100, 0x18, helloRecord("claude.ai", false)),
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 5000, 0x02, nil),
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 5001, 0x18, helloRecord("chatgpt.com", false)),
	} {
		s.Packet(capture.Packet{Data: p, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
	}
	if diff := cmp.Diff([]string{"claude.ai", "chatgpt.com"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDNSOverTCPEmptyMessage: a zero length prefix (no message) is
// skipped without losing the stream's place, so the messages in later
// segments are still read.
func TestDNSOverTCPEmptyMessage(t *testing.T) {
	first := append([]byte{0, 0}, lengthPrefixed(dnsQuery(1, "chatgpt.com"))...)
	second := lengthPrefixed(dnsQuery(2, "claude.ai"))
	var got []string
	s := New(catalog(t), func(o *observe.Observation) { got = append(got, o.Domain) })
	for _, p := range [][]byte{
		rawTCP("10.0.0.2", "10.0.0.53", 40000, 53, 999, 0x02, nil),
		rawTCP("10.0.0.2", "10.0.0.53", 40000, 53, 1000, 0x18, first),
		rawTCP("10.0.0.2", "10.0.0.53", 40000, 53, 1000+uint32(len(first)), 0x18, second),
	} {
		s.Packet(capture.Packet{Data: p, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
	}
	if diff := cmp.Diff([]string{"chatgpt.com", "claude.ai"}, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
}
