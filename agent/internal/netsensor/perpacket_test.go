package netsensor

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/flow"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// rawTCP builds a raw IPv4 TCP packet.
func rawTCP(src, dst string, sp, dp uint16, seq uint32, flags byte, payload []byte) []byte {
	b := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(40+len(payload)))
	b = append(b, netip.MustParseAddr(src).AsSlice()...)
	b = append(b, netip.MustParseAddr(dst).AsSlice()...)
	b = binary.BigEndian.AppendUint16(b, sp)
	b = binary.BigEndian.AppendUint16(b, dp)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = append(b, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0)
	return append(b, payload...)
}

func rawUDP(src, dst string, sp, dp uint16, payload []byte) []byte {
	b := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(28+len(payload)))
	b = append(b, netip.MustParseAddr(src).AsSlice()...)
	b = append(b, netip.MustParseAddr(dst).AsSlice()...)
	b = binary.BigEndian.AppendUint16(b, sp)
	b = binary.BigEndian.AppendUint16(b, dp)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	b = append(b, 0, 0)
	return append(b, payload...)
}

// bulkPackets are what most of a capture is: data on an established TLS
// connection in both directions, a plain TCP download, QUIC 1-RTT
// packets, and other UDP.
func bulkPackets() [][]byte {
	data := make([]byte, 1400)
	data[0] = 0x17 // TLS application data
	short := append([]byte{0x41}, data[1:1200]...)
	return [][]byte{
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 1000, 0x10, data),
		rawTCP("198.18.0.1", "10.0.0.2", 443, 40000, 5000, 0x10, data),
		rawTCP("198.18.0.9", "10.0.0.2", 80, 40001, 5000, 0x10, data),
		rawUDP("198.18.0.1", "10.0.0.2", 443, 40002, short),
		rawUDP("10.0.0.2", "198.18.0.7", 40003, 5004, data[:200]),
	}
}

// warmSensor has seen the handshake of the connection bulkPackets
// continues, so its flow entry is in its final state.
func warmSensor(tb testing.TB) *Sensor {
	s := New(catalog(tb), func(*observe.Observation) {})
	hello := []byte{0x16, 0x03, 0x01, 0x00, 0x00} // a record start, never completed
	for _, b := range [][]byte{
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 999, 0x02, nil),
		rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 1000, 0x10, []byte("GET / HTTP/1.1\r\n")),
		rawTCP("10.0.0.2", "198.18.0.3", 40010, 443, 1, 0x10, hello),
	} {
		s.Packet(capture.Packet{Data: b, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
	}
	return s
}

// TestBulkPathDoesNotAllocate: the packets that make up almost all
// traffic cost no allocation.
func TestBulkPathDoesNotAllocate(t *testing.T) {
	s := warmSensor(t)
	for _, b := range bulkPackets() {
		p := capture.Packet{Data: b, Time: time.Unix(2, 0), LinkType: layers.LinkTypeRaw}
		if n := testing.AllocsPerRun(200, func() { s.Packet(p) }); n != 0 {
			t.Errorf("%d allocations per packet for %x...", int(n), b[:40])
		}
	}
}

// BenchmarkBulkPacket measures the per-packet cost of the non-handshake
// path (data on known and unknown flows, QUIC 1-RTT, other UDP).
func BenchmarkBulkPacket(b *testing.B) {
	s := warmSensor(b)
	var pkts []capture.Packet
	for _, d := range bulkPackets() {
		pkts = append(pkts, capture.Packet{Data: d, Time: time.Unix(2, 0), LinkType: layers.LinkTypeRaw})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Packet(pkts[i%len(pkts)])
		i++
	}
}

// FuzzSensor feeds packet sequences through a sensor: the TCP and QUIC
// reassembly, DNS transactions, defragmentation and IP map together. The
// input is a series of 2-byte big-endian lengths each followed by a raw
// IP packet.
func FuzzSensor(f *testing.F) {
	seq := func(pkts ...[]byte) []byte {
		var out []byte
		for _, p := range pkts {
			out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
			out = append(out, p...)
		}
		return out
	}
	f.Add(seq(bulkPackets()...))
	f.Add(seq(rawTCP("10.0.0.2", "198.18.0.1", 1, 443, 9, 0x02, nil),
		rawTCP("10.0.0.2", "198.18.0.1", 1, 443, 15, 0x10, []byte{0, 0, 1, 2}),
		rawTCP("10.0.0.2", "198.18.0.1", 1, 443, 10, 0x10, []byte{0x16, 0x03, 0x01, 0x00, 0x09})))
	// One address answered for two services, through a CNAME, then a
	// flow to it without a server name.
	f.Add(seq(rawUDP("10.0.0.53", "10.0.0.2", 53, 5353, dnsResponse("chatgpt.com", 30, []string{"cdn.example"}, [4]byte{198, 18, 0, 1})),
		rawUDP("10.0.0.53", "10.0.0.2", 53, 5354, dnsResponse("claude.ai", 7200, nil, [4]byte{198, 18, 0, 1}, [4]byte{198, 18, 0, 2})),
		rawTCP("10.0.0.2", "198.18.0.1", 1, 443, 9, 0x02, nil),
		rawTCP("10.0.0.2", "198.18.0.1", 1, 443, 10, 0x18, []byte("GET / HTTP/1.1\r\n"))))
	for _, c := range []string{"testdata/basic.pcap", conformanceDir + "/tls_2_reasms.pcapng", conformanceDir + "/quic_frags_ch_in_multiple_packets.pcapng", conformanceDir + "/dns_fragmented.pcap"} {
		f.Add(seq(rawPackets(f, c)...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s := New(catalog(t), func(o *observe.Observation) {
			for _, c := range []byte(o.Domain) {
				if c <= 0x20 || c >= 0x7f {
					t.Fatalf("unprintable domain %q", o.Domain)
				}
			}
			if c, ok := o.Attrs[ipCandidatesKey]; ok && (o.Service != nil || strings.Count(c, ",") >= maxNamesPerIP) {
				t.Fatalf("ambiguous flow credited to %v, or too many candidates: %q", o.Service, c)
			}
		})
		for i := 0; len(in) >= 2; i++ {
			n := min(int(binary.BigEndian.Uint16(in)), len(in)-2)
			s.Packet(capture.Packet{Data: in[2 : 2+n], Time: time.Unix(int64(i), 0), LinkType: layers.LinkTypeRaw})
			in = in[2+n:]
		}
		s.Finish()
		if s.windows.inUse < 0 || s.windows.inUse > maxWindows {
			t.Fatalf("%d windows in use", s.windows.inUse)
		}
		s.names.Range(func(a netip.Addr, sl *flow.Slot[ipNames]) bool {
			checkIPNames(t, a, &sl.V)
			return true
		})
	})
}

// checkIPNames fails unless an address's names are distinct, most
// recently learned first, with unused slots last.
func checkIPNames(t *testing.T, a netip.Addr, v *ipNames) {
	for i := 1; i < len(v.names); i++ {
		prev, e := v.names[i-1], v.names[i]
		if e.name == "" {
			continue
		}
		if prev.name == "" || prev.learned < e.learned || v.index([]byte(e.name)) != i {
			t.Fatalf("names of %v out of order or repeated: %+v", a, v.names)
		}
	}
}

// rawPackets returns the IP packets of an Ethernet capture.
func rawPackets(tb testing.TB, path string) [][]byte {
	f, err := capture.OpenFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	for {
		p, err := f.Next()
		if err != nil {
			return out
		}
		if p.LinkType == layers.LinkTypeEthernet && len(p.Data) > 14 {
			out = append(out, append([]byte(nil), p.Data[14:]...))
		}
	}
}

// TestRepeatedAnswerDoesNotAllocate: a DNS answer that maps addresses to
// the name they already have (every repeated lookup) costs no allocation.
func TestRepeatedAnswerDoesNotAllocate(t *testing.T) {
	s := New(catalog(t), func(*observe.Observation) {})
	a := capture.Packet{Data: rawUDP("10.0.0.53", "10.0.0.2", 53, 5353, dnsAnswer("example.com", [4]byte{198, 18, 0, 1})), Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw}
	s.Packet(a)
	if n := testing.AllocsPerRun(100, func() { s.Packet(a) }); n != 0 {
		t.Errorf("%v allocations per repeated answer", n)
	}
}
