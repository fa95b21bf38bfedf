package e2e

import (
	"encoding/binary"
	"os"
	"testing"
	"time"
)

// aiDomains are catalog names the generated capture asks for, one after
// the other.
var aiDomains = []string{"chatgpt.com", "claude.ai", "gemini.google.com", "api.mistral.ai", "perplexity.ai"}

// genStart is the time of the generated capture's first packet.
var genStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// writeDNSCapture writes a classic pcap of n DNS queries, from a real
// client's point of view (Ethernet, IPv4, UDP to port 53), one every 61
// seconds, so that each falls in its own aggregation window and becomes
// its own sighting: n AI observations in n sightings.
func writeDNSCapture(t *testing.T, path string, n int) {
	t.Helper()
	writeCapture(t, path, n, func(i int) (string, time.Time) {
		return aiDomains[i%len(aiDomains)], genStart.Add(time.Duration(i) * 61 * time.Second)
	})
}

// writeCapture writes n DNS queries; query i asks for name at ts.
func writeCapture(t *testing.T, path string, n int, query func(i int) (name string, ts time.Time)) {
	t.Helper()
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1) // Ethernet
	out := hdr
	for i := range n {
		name, ts := query(i)
		pkt := dnsQueryFrame(uint16(i), name)
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[0:], uint32(ts.Unix()))
		binary.LittleEndian.PutUint32(rec[4:], uint32(ts.Nanosecond()/1000))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(pkt)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(pkt)))
		out = append(append(out, rec...), pkt...)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func dnsQueryFrame(id uint16, name string) []byte {
	dns := []byte{byte(id >> 8), byte(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, label := range splitLabels(name) {
		dns = append(append(dns, byte(len(label))), label...)
	}
	dns = append(dns, 0, 0, 1, 0, 1) // root, type A, class IN
	udp := make([]byte, 8, 8+len(dns))
	binary.BigEndian.PutUint16(udp[0:], 40000+id%1000)
	binary.BigEndian.PutUint16(udp[2:], 53)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(dns)))
	udp = append(udp, dns...)
	ip := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1}
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip))
	eth := []byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00}
	return append(append(eth, ip...), udp...)
}

func splitLabels(name string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			out = append(out, name[start:i])
			start = i + 1
		}
	}
	return out
}

func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
