package netsensor

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// helloRecord hand-builds a TLS record with a minimal ClientHello: SNI
// and, when ech is set, an ECH extension (0xfe0d).
func helloRecord(sni string, ech bool) []byte {
	var exts []byte
	name := append([]byte{0}, binary.BigEndian.AppendUint16(nil, uint16(len(sni)))...)
	name = append(name, sni...)
	list := binary.BigEndian.AppendUint16(nil, uint16(len(name)))
	exts = append(exts, 0, 0)
	exts = binary.BigEndian.AppendUint16(exts, uint16(len(list)+len(name)))
	exts = append(append(exts, list...), name...)
	if ech {
		exts = append(exts, 0xfe, 0x0d, 0, 4, 0, 1, 2, 3)
	}
	body := append([]byte{3, 3}, make([]byte, 32)...)
	body = append(body, 0, 0, 2, 0x13, 0x01, 1, 0)
	body = binary.BigEndian.AppendUint16(body, uint16(len(exts)))
	body = append(body, exts...)
	hs := append([]byte{1, 0}, binary.BigEndian.AppendUint16(nil, uint16(len(body)))...)
	hs = append(hs, body...)
	rec := append([]byte{0x16, 3, 1}, binary.BigEndian.AppendUint16(nil, uint16(len(hs)))...)
	return append(rec, hs...)
}

// dnsAnswer is a response to an A query for name with one address.
func dnsAnswer(name string, addr [4]byte) []byte {
	return dnsResponse(name, 60, nil, addr)
}

// dnsResponse answers an A query for name: CNAMEs from name through
// chain, then an A record per address owned by the chain's last name,
// every record with the given TTL.
func dnsResponse(name string, ttl uint32, chain []string, addrs ...[4]byte) []byte {
	m := []byte{0, 7, 0x81, 0x80, 0, 1, 0, byte(len(chain) + len(addrs)), 0, 0, 0, 0}
	m = append(appendName(m, name), 0, 1, 0, 1)
	owner := []byte{0xc0, 0x0c}
	for _, c := range chain {
		target := appendName(nil, c)
		m = appendRR(m, owner, 5, ttl, target)
		owner = target
	}
	for _, a := range addrs {
		m = appendRR(m, owner, 1, ttl, a[:])
	}
	return m
}

// appendName appends name in wire form, uncompressed.
func appendName(m []byte, name string) []byte {
	for _, l := range strings.Split(name, ".") {
		m = append(append(m, byte(len(l))), l...)
	}
	return append(m, 0)
}

// appendRR appends a class IN record.
func appendRR(m, owner []byte, typ uint16, ttl uint32, data []byte) []byte {
	m = append(m, owner...)
	m = binary.BigEndian.AppendUint16(m, typ)
	m = append(m, 0, 1)
	m = binary.BigEndian.AppendUint32(m, ttl)
	m = binary.BigEndian.AppendUint16(m, uint16(len(data)))
	return append(m, data...)
}

func TestECHAndGrease(t *testing.T) {
	tests := []struct {
		name  string
		dns   string // name DNS gave the server's address, if any
		outer string
		ech   bool
		want  []string // source domain service ech attrs
	}{
		{"grease, no DNS", "", "chatgpt.com", true, []string{"tls chatgpt.com openai-chatgpt false map[ech:grease]"}},
		{"grease, DNS agrees", "chatgpt.com", "chatgpt.com", true,
			[]string{"dns chatgpt.com openai-chatgpt false map[]", "tls chatgpt.com openai-chatgpt false map[ech:grease]"}},
		{"real ECH, public name", "claude.ai", "cloudflare-ech.com", true, []string{
			"dns claude.ai anthropic-claude false map[]", "tls cloudflare-ech.com  true map[]",
			"ip claude.ai anthropic-claude false map[reason:ech]"}},
		{"grease, DNS names the shared address differently", "claude.ai", "chatgpt.com", true, []string{
			"dns claude.ai anthropic-claude false map[]", "tls chatgpt.com openai-chatgpt false map[ech:grease]"}},
		{"real ECH, public name from an HTTPS record", "", "front.example.net", true, []string{
			"dns claude.ai anthropic-claude false map[]", "tls front.example.net  true map[]",
			"ip claude.ai anthropic-claude false map[reason:ech]"}},
		{"no ECH", "", "claude.ai", false, []string{"tls claude.ai anthropic-claude false map[]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			s := New(catalog(t), func(o *observe.Observation) {
				svc := ""
				if o.Service != nil {
					svc = o.Service.ID
				}
				got = append(got, strings.Join([]string{string(o.Source), o.Domain, svc, boolString(o.ECH), mapString(o.Attrs)}, " "))
			})
			var pkts [][]byte
			if tc.outer == "front.example.net" {
				pkts = append(pkts, rawUDP("10.0.0.53", "10.0.0.2", 53, 5353, httpsAnswer("claude.ai", "front.example.net", [4]byte{198, 18, 0, 1})))
			}
			if tc.dns != "" {
				pkts = append(pkts, rawUDP("10.0.0.53", "10.0.0.2", 53, 5353, dnsAnswer(tc.dns, [4]byte{198, 18, 0, 1})))
			}
			pkts = append(pkts, rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 99, 0x02, nil),
				rawTCP("10.0.0.2", "198.18.0.1", 40000, 443, 100, 0x18, helloRecord(tc.outer, tc.ech)))
			for _, p := range pkts {
				s.Packet(capture.Packet{Data: p, Time: time.Unix(1, 0), LinkType: layers.LinkTypeRaw})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("observations (-want +got):\n%s", diff)
			}
		})
	}
}

// httpsAnswer answers an HTTPS query for name with an ECH configuration
// whose public name is public, and an A record.
func httpsAnswer(name, public string, addr [4]byte) []byte {
	cfg := []byte{0x01, 0x00, 0x20, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x00, byte(len(public))}
	cfg = append(append(cfg, public...), 0, 0)
	list := append([]byte{0xfe, 0x0d, 0x00, byte(len(cfg))}, cfg...)
	list = append([]byte{0x00, byte(len(list))}, list...)
	rdata := append([]byte{0x00, 0x01, 0x00, 0x00, 0x05, 0x00, byte(len(list))}, list...)
	m := []byte{0, 8, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0}
	m = append(appendName(m, name), 0, 65, 0, 1)
	m = appendRR(m, []byte{0xc0, 0x0c}, 65, 60, rdata)
	return appendRR(m, []byte{0xc0, 0x0c}, 1, 60, addr[:])
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func mapString(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+":"+v)
	}
	sort.Strings(kv)
	return "map[" + strings.Join(kv, " ") + "]"
}

// TestKnownECHNamesStay: the public names known from the start are not
// pushed out of the bounded table by names learned from HTTPS records
// (any host on the network can publish those).
func TestKnownECHNamesStay(t *testing.T) {
	s := New(catalog(t), func(*observe.Observation) {})
	for i := range 2 * maxECHPublicNames {
		s.now = int64(i + 1)
		s.learnECHPublicName([]byte(fmt.Sprintf("front%d.example", i)))
	}
	for _, n := range knownECHPublicNames {
		if !s.echHidden(n) {
			t.Errorf("%s is no longer known as an ECH public name", n)
		}
	}
}
