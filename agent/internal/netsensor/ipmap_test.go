package netsensor

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// answer is a DNS response seen at second at, giving addr to name
// (through chain, if any).
type answer struct {
	at    int64
	name  string
	ttl   uint32
	chain []string
	addr  [4]byte
}

var (
	shared = [4]byte{198, 18, 0, 1}
	other  = [4]byte{198, 18, 0, 2}
)

// TestIPNames names a plain TCP flow to shared (no server name) from the
// DNS answers seen before it: a service is credited only when every live
// name of the address belongs to it.
func TestIPNames(t *testing.T) {
	tests := []struct {
		name      string
		answers   []answer
		flowAt    int64
		want      []string // source domain service attrs, of ip observations
		ambiguous uint64
	}{
		{"single name", []answer{{0, "chatgpt.com", 60, nil, shared}}, 1,
			[]string{"ip chatgpt.com openai-chatgpt map[reason:not_tls]"}, 0},
		{"one service under two names", []answer{{0, "chat.openai.com", 60, nil, shared}, {1, "chatgpt.com", 60, nil, shared}}, 2,
			[]string{"ip chatgpt.com openai-chatgpt map[reason:not_tls]"}, 0},
		{"AI and not AI", []answer{{0, "chatgpt.com", 60, nil, shared}, {1, "example.org", 60, nil, shared}}, 2,
			[]string{"ip example.org  map[ip_candidates:example.org,chatgpt.com reason:not_tls]"}, 1},
		{"not AI and then AI", []answer{{0, "example.org", 60, nil, shared}, {1, "chatgpt.com", 60, nil, shared}}, 2,
			[]string{"ip chatgpt.com  map[ip_candidates:chatgpt.com,example.org reason:not_tls]"}, 1},
		{"two AI services", []answer{{0, "claude.ai", 60, nil, shared}, {1, "chatgpt.com", 60, nil, shared}}, 2,
			[]string{"ip chatgpt.com  map[ip_candidates:chatgpt.com,claude.ai reason:not_tls]"}, 1},
		{"two names not AI", []answer{{0, "example.org", 60, nil, shared}, {1, "example.net", 60, nil, shared}}, 2,
			[]string{"ip example.net  map[reason:not_tls]"}, 0},
		{"another address does not count", []answer{{0, "chatgpt.com", 60, nil, shared}, {1, "claude.ai", 60, nil, other}}, 2,
			[]string{"ip chatgpt.com openai-chatgpt map[reason:not_tls]"}, 0},
		{"a repeated name moves to the front", []answer{{0, "chatgpt.com", 60, nil, shared}, {1, "claude.ai", 60, nil, shared}, {2, "chatgpt.com", 60, nil, shared}}, 3,
			[]string{"ip chatgpt.com  map[ip_candidates:chatgpt.com,claude.ai reason:not_tls]"}, 1},
		{"an expired name does not count (TTL 30 s counts 60 s)", []answer{{0, "chatgpt.com", 30, nil, shared}, {50, "claude.ai", 300, nil, shared}}, 61,
			[]string{"ip claude.ai anthropic-claude map[reason:not_tls]"}, 0},
		{"a long TTL keeps a name", []answer{{0, "chatgpt.com", 300, nil, shared}, {50, "claude.ai", 300, nil, shared}}, 299,
			[]string{"ip claude.ai  map[ip_candidates:claude.ai,chatgpt.com reason:not_tls]"}, 1},
		{"TTLs past an hour count an hour", []answer{{0, "chatgpt.com", 86400, nil, shared}}, 3601, nil, 0},
		{"a repeated answer renews its name", []answer{{0, "chatgpt.com", 60, nil, shared}, {50, "chatgpt.com", 60, nil, shared}}, 100,
			[]string{"ip chatgpt.com openai-chatgpt map[reason:not_tls]"}, 0},
		{"CNAME chain followed to the question", []answer{{0, "chatgpt.com", 60, []string{"chatgpt.com.cdn.cloudflare.net"}, shared}}, 1,
			[]string{"ip chatgpt.com openai-chatgpt map[reason:not_tls]"}, 0},
		{"CNAME chains of two services to one address", []answer{
			{0, "chatgpt.com", 60, []string{"chatgpt.com.cdn.cloudflare.net"}, shared},
			{1, "example.org", 60, []string{"a.example.net", "b.example.net"}, shared}}, 2,
			[]string{"ip example.org  map[ip_candidates:example.org,chatgpt.com reason:not_tls]"}, 1},
		{"four names kept", []answer{
			{0, "chatgpt.com", 600, nil, shared}, {1, "a.example", 600, nil, shared},
			{2, "b.example", 600, nil, shared}, {3, "c.example", 600, nil, shared}}, 4,
			[]string{"ip c.example  map[ip_candidates:c.example,b.example,a.example,chatgpt.com reason:not_tls]"}, 1},
		{"a fifth pushes out the oldest", []answer{
			{0, "chatgpt.com", 600, nil, shared}, {1, "a.example", 600, nil, shared},
			{2, "b.example", 600, nil, shared}, {3, "c.example", 600, nil, shared}, {4, "d.example", 600, nil, shared}}, 5,
			[]string{"ip d.example  map[reason:not_tls]"}, 0},
		{"an expired name makes room first", []answer{
			{0, "a.example", 600, nil, shared}, {1, "chatgpt.com", 60, nil, shared},
			{2, "b.example", 600, nil, shared}, {3, "c.example", 600, nil, shared}, {100, "d.example", 600, nil, shared}}, 101,
			[]string{"ip d.example  map[reason:not_tls]"}, 0},
		{"an expired most recent name makes room first", []answer{
			{0, "example.org", 600, nil, shared}, {1, "a.chatgpt.com", 600, nil, shared},
			{2, "b.chatgpt.com", 600, nil, shared}, {3, "c.chatgpt.com", 60, nil, shared}, {100, "d.chatgpt.com", 600, nil, shared}}, 101,
			[]string{"ip d.chatgpt.com  map[ip_candidates:d.chatgpt.com,b.chatgpt.com,a.chatgpt.com,example.org reason:not_tls]"}, 1},
		{"an older answer seen late does not shorten a name", []answer{
			{1000, "example.org", 3600, nil, shared}, {1001, "chatgpt.com", 3600, nil, shared}, {10, "example.org", 60, nil, shared}}, 1100,
			[]string{"ip chatgpt.com  map[ip_candidates:chatgpt.com,example.org reason:not_tls]"}, 1},
		{"a name learned out of order goes behind newer ones", []answer{
			{1000, "chatgpt.com", 3600, nil, shared}, {500, "example.org", 3600, nil, shared}}, 1001,
			[]string{"ip chatgpt.com  map[ip_candidates:chatgpt.com,example.org reason:not_tls]"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			s := New(catalog(t), func(o *observe.Observation) {
				if o.Source == observe.IP {
					got = append(got, observationString(o))
				}
			})
			for _, a := range tc.answers {
				p := rawUDP("10.0.0.53", "10.0.0.2", 53, 5353, dnsResponse(a.name, a.ttl, a.chain, a.addr))
				s.Packet(capture.Packet{Data: p, Time: time.Unix(a.at, 0), LinkType: layers.LinkTypeRaw})
			}
			for _, p := range [][]byte{
				rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 99, 0x02, nil),
				rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 100, 0x18, []byte("GET / HTTP/1.1\r\n")),
			} {
				s.Packet(capture.Packet{Data: p, Time: time.Unix(tc.flowAt, 0), LinkType: layers.LinkTypeRaw})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("observations (-want +got):\n%s", diff)
			}
			if st := s.Stats(); st.IPAmbiguous != tc.ambiguous || st.IPNames != uint64(len(tc.want)) {
				t.Errorf("ip_ambiguous %d, ip_names %d; want %d and %d", st.IPAmbiguous, st.IPNames, tc.ambiguous, len(tc.want))
			}
		})
	}
}

func observationString(o *observe.Observation) string {
	svc := ""
	if o.Service != nil {
		svc = o.Service.ID
	}
	return strings.Join([]string{string(o.Source), o.Domain, svc, mapString(o.Attrs)}, " ")
}

// TestAlternatingAnswersDoNotAllocate: two names answered in turn for one
// address (a CDN) reorder what the map holds without allocating. (Each
// answers its own transaction, so it is a duplicate after the first.)
func TestAlternatingAnswersDoNotAllocate(t *testing.T) {
	s := New(catalog(t), func(*observe.Observation) {})
	var pkts [2]capture.Packet
	for i, name := range []string{"chatgpt.com", "example.org"} {
		pkts[i] = capture.Packet{Data: rawUDP("10.0.0.53", "10.0.0.2", 53, 5353+uint16(i), dnsAnswer(name, shared)), Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw}
		s.Packet(pkts[i])
	}
	i := 0
	if n := testing.AllocsPerRun(100, func() { s.Packet(pkts[i%2]); i++ }); n != 0 {
		t.Errorf("%v allocations per answer", n)
	}
}

// BenchmarkSharedAddressAnswers measures learning answers that repeat
// names the map holds: two names answered in turn for one address.
func BenchmarkSharedAddressAnswers(b *testing.B) {
	s := New(catalog(b), func(*observe.Observation) {})
	var pkts [2]capture.Packet
	for i, name := range []string{"chatgpt.com", "example.org"} {
		pkts[i] = capture.Packet{Data: rawUDP("10.0.0.53", "10.0.0.2", 53, 5353+uint16(i), dnsAnswer(name, shared)), Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Packet(pkts[i%2])
		i++
	}
}
