package main

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/shadowai/shadowai/agent/internal/decode/quic"
	"github.com/shadowai/shadowai/agent/internal/decode/tlshello/hellotest"
)

// aiNames are names of AI services the catalog knows; the rest of the
// names are ordinary office traffic.
var aiNames = []string{
	"chatgpt.com", "api.openai.com", "claude.ai", "api.anthropic.com", "gemini.google.com",
	"copilot.microsoft.com", "www.perplexity.ai", "huggingface.co", "api.mistral.ai",
	"chat.deepseek.com", "grok.com", "api.groq.com", "cursor.sh", "codeium.com",
}

type generator struct {
	r      *rand.Rand
	ts     time.Time
	names  []string
	tlsCH  map[string][]byte
	quicCH map[string][]byte
	flows  int
	seen   map[string]bool
	bulk   []byte
}

func newGenerator(seed uint64) (*generator, error) {
	g := &generator{
		r: rand.New(rand.NewPCG(seed, seed^0x5eed)), ts: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		tlsCH: map[string][]byte{}, quicCH: map[string][]byte{}, seen: map[string]bool{},
		bulk: make([]byte, 1448),
	}
	for i := range g.bulk {
		g.bulk[i] = byte(g.r.IntN(256))
	}
	g.names = append(g.names, aiNames...)
	for i := range 240 {
		g.names = append(g.names, fmt.Sprintf("%s%d.%s", []string{"www", "cdn", "api", "mail", "static"}[i%5], i, []string{"example.com", "office.example.net", "intranet.example.org"}[i%3]))
	}
	for _, n := range g.names {
		var err error
		if g.tlsCH[n], err = tlsHello(n); err != nil {
			return nil, err
		}
		if g.quicCH[n], err = quicHello(n); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// tlsHello records the first record Go's TLS client sends for name.
func tlsHello(name string) ([]byte, error) {
	return hellotest.Record(name, []string{"h2", "http/1.1"})
}

// quicHello is the ClientHello crypto/tls writes for a QUIC connection.
func quicHello(name string) ([]byte, error) {
	qc := tls.QUICClient(&tls.QUICConfig{TLSConfig: &tls.Config{ServerName: name, NextProtos: []string{"h3"}, MinVersion: tls.VersionTLS13}})
	qc.SetTransportParameters([]byte{0x04, 0x04, 0x80, 0x10, 0x00, 0x00, 0x0f, 0x04, 1, 2, 3, 4})
	if err := qc.Start(context.Background()); err != nil {
		return nil, fmt.Errorf("starting a QUIC handshake: %w", err)
	}
	defer qc.Close()
	var hello []byte
	for {
		e := qc.NextEvent()
		if e.Kind == tls.QUICNoEvent {
			return hello, nil
		}
		if e.Kind == tls.QUICWriteData && e.Level == tls.QUICEncryptionLevelInitial {
			hello = append(hello, e.Data...)
		}
	}
}

func (g *generator) writeNames(path string) error {
	var b strings.Builder
	for n := range g.seen {
		b.WriteString(n + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// flowGen hands out the packets of one flow in order.
type flowGen struct {
	pkts [][]byte
	i    int
}

func (f *flowGen) next() ([]byte, bool) {
	if f.i >= len(f.pkts) {
		return nil, false
	}
	f.i++
	return f.pkts[f.i-1], true
}

// newFlow picks a client, a name and a kind of flow: TLS (55%), QUIC
// (30%) or a lookup alone, most of them preceded by their DNS lookup.
func (g *generator) newFlow() *flowGen {
	g.flows++
	client := netip.AddrFrom4([4]byte{10, 1, byte(g.r.IntN(4)), byte(1 + g.r.IntN(200))})
	name := g.names[g.r.IntN(len(g.names))]
	server := serverAddr(name)
	f := &flowGen{}
	sport := uint16(32768 + g.r.IntN(28000))
	if g.r.IntN(10) < 7 {
		f.pkts = append(f.pkts, g.dns(client, sport+1, name, server)...)
		g.seen[name] = true
	}
	switch k := g.r.IntN(100); {
	case k < 55:
		f.pkts = append(f.pkts, g.tlsFlow(client, sport, server, name)...)
		g.seen[name] = true
	case k < 85:
		f.pkts = append(f.pkts, g.quicFlow(client, sport, server, name)...)
		g.seen[name] = true
	}
	return f
}

// serverAddr gives each name a stable address in the benchmarking range
// 198.18.0.0/15 (RFC 2544).
func serverAddr(name string) netip.Addr {
	var h uint32 = 2166136261
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	return netip.AddrFrom4([4]byte{198, 18 + byte(h>>24&1), byte(h >> 8), byte(h)})
}

var resolver = netip.AddrFrom4([4]byte{10, 0, 0, 53})

func (g *generator) dns(client netip.Addr, port uint16, name string, server netip.Addr) [][]byte {
	id := uint16(g.r.Uint32())
	q := binary.BigEndian.AppendUint16(nil, id)
	q = append(q, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)
	for _, l := range strings.Split(name, ".") {
		q = append(append(q, byte(len(l))), l...)
	}
	q = append(q, 0, 0, 1, 0, 1)
	a := append([]byte(nil), q...)
	a[2], a[3], a[7] = 0x81, 0x80, 1
	a = append(a, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
	a = append(a, server.AsSlice()...)
	return [][]byte{udp(client, resolver, port, 53, q), udp(resolver, client, 53, port, a)}
}

// tlsFlow: handshake, the ClientHello in MSS-sized segments, a server
// flight, then 20-200 full-size data segments acknowledged every second
// one, and the close.
func (g *generator) tlsFlow(c netip.Addr, cp uint16, s netip.Addr, name string) [][]byte {
	cseq, sseq := g.r.Uint32(), g.r.Uint32()
	var p [][]byte
	p = append(p, tcp(c, s, cp, 443, cseq, 0, synFlag, nil), tcp(s, c, 443, cp, sseq, cseq+1, synFlag|ackFlag, nil), tcp(c, s, cp, 443, cseq+1, sseq+1, ackFlag, nil))
	cseq++
	sseq++
	hello := g.tlsCH[name]
	for len(hello) > 0 {
		n := min(1448, len(hello))
		p = append(p, tcp(c, s, cp, 443, cseq, sseq, ackFlag|pshFlag, hello[:n]))
		cseq += uint32(n)
		hello = hello[n:]
	}
	srv := append([]byte{0x16, 0x03, 0x03, 0x05, 0x98, 0x02}, g.bulk[6:]...)
	p = append(p, tcp(s, c, 443, cp, sseq, cseq, ackFlag, srv))
	sseq += uint32(len(srv))
	for i := range 20 + g.r.IntN(180) {
		p = append(p, tcp(s, c, 443, cp, sseq, cseq, ackFlag, g.bulk))
		sseq += uint32(len(g.bulk))
		if i%2 == 1 {
			p = append(p, tcp(c, s, cp, 443, cseq, sseq, ackFlag, nil))
		}
	}
	return append(p, tcp(c, s, cp, 443, cseq, sseq, finFlag|ackFlag, nil), tcp(s, c, 443, cp, sseq, cseq+1, finFlag|ackFlag, nil))
}

// quicFlow: the ClientHello in two Initials, second half first (as
// Chromium shuffles it), a server flight, then 1-RTT bulk.
func (g *generator) quicFlow(c netip.Addr, cp uint16, s netip.Addr, name string) [][]byte {
	dcid := binary.BigEndian.AppendUint64(nil, g.r.Uint64())
	hello := g.quicCH[name]
	cut := len(hello) / 2
	var p [][]byte
	for i, part := range [][2]int{{cut, len(hello)}, {0, cut}} {
		pkt, err := quic.SealInitial(quic.V1, dcid, nil, uint32(i), quic.AppendCrypto(nil, uint64(part[0]), hello[part[0]:part[1]]), 1252)
		if err != nil {
			panic(err) // the inputs are fixed-size: a failure is a bug here
		}
		p = append(p, udp(c, s, cp, 443, pkt))
	}
	srv := append([]byte{0xc0, 0, 0, 0, 1, 0, 8}, g.bulk[:1193]...)
	p = append(p, udp(s, c, 443, cp, srv))
	for i := range 20 + g.r.IntN(180) {
		short := append([]byte{0x40}, g.bulk[1:1250]...)
		p = append(p, udp(s, c, 443, cp, short))
		if i%4 == 3 {
			p = append(p, udp(c, s, cp, 443, append([]byte{0x41}, g.bulk[:40]...)))
		}
	}
	return p
}
