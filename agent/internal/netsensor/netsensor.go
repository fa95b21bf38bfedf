// Package netsensor turns captured packets into observations: DNS query
// names and TLS ClientHello server names, matched against the signature
// catalog.
package netsensor

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/decode"
	"github.com/shadowai/shadowai/agent/internal/decode/dns"
	"github.com/shadowai/shadowai/agent/internal/decode/tlshello"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

// Matcher names the service a domain belongs to. *signatures.Catalog is
// one; the agent's runtime passes one whose catalog it can swap.
type Matcher interface {
	MatchDomain(name string) *signatures.Service
}

// Stats counts what the sensor saw and what it could not read.
type Stats struct {
	Packets      uint64 `json:"packets"`
	Bytes        uint64 `json:"bytes"`
	Truncated    uint64 `json:"truncated"`
	NotIP        uint64 `json:"not_ip"`
	LinkErrors   uint64 `json:"link_errors"`
	ParseErrors  uint64 `json:"parse_errors"`
	Fragments    uint64 `json:"fragments"`
	DNSMessages  uint64 `json:"dns_messages"`
	DNSErrors    uint64 `json:"dns_errors"`
	TLSHellos    uint64 `json:"tls_hellos"`
	TLSErrors    uint64 `json:"tls_errors"`
	TLSSplit     uint64 `json:"tls_split"`
	Observations uint64 `json:"observations"`
}

// Sensor decodes packets one at a time. It is not safe for concurrent use;
// run one per capture goroutine.
type Sensor struct {
	match   Matcher
	emit    func(*observe.Observation)
	stats   Stats
	pkt     decode.Packet
	nameBuf [dns.MaxName]byte
	obs     observe.Observation
}

// New returns a sensor that reports each observation to emit. emit must not
// keep the pointer past its return.
func New(m Matcher, emit func(*observe.Observation)) *Sensor {
	return &Sensor{match: m, emit: emit}
}

// Stats returns the counters so far.
func (s *Sensor) Stats() Stats { return s.stats }

// Packet decodes one captured frame.
func (s *Sensor) Packet(cp capture.Packet) {
	s.stats.Packets++
	s.stats.Bytes += uint64(len(cp.Data))
	if cp.Truncated {
		s.stats.Truncated++
	}
	p := &s.pkt
	if err := decode.Frame(cp.LinkType, cp.Data, p); err != nil {
		s.countDecodeError(err)
		return
	}
	if p.Fragmented {
		s.stats.Fragments++
	}
	switch {
	case p.Proto == decode.ProtoUDP && (p.DstPort == 53 || p.SrcPort == 53):
		s.dnsMessage(cp, p.Payload)
	case p.Proto == decode.ProtoTCP && (p.DstPort == 53 || p.SrcPort == 53):
		s.dnsOverTCP(cp, p.Payload)
	case p.Proto == decode.ProtoTCP && tlshello.IsRecordStart(p.Payload):
		s.tlsHello(cp, p.Payload)
	}
}

func (s *Sensor) countDecodeError(err error) {
	switch {
	case errors.Is(err, decode.ErrNotIP), errors.Is(err, decode.ErrTransport):
		s.stats.NotIP++
	case errors.Is(err, decode.ErrLinkType):
		s.stats.LinkErrors++
	case errors.Is(err, decode.ErrNotFirstFrag):
		s.stats.Fragments++
	default:
		s.stats.ParseErrors++
	}
}

// dnsOverTCP reads length-prefixed messages (RFC 1035 section 4.2.2).
func (s *Sensor) dnsOverTCP(cp capture.Packet, b []byte) {
	for len(b) >= 2 {
		n := int(binary.BigEndian.Uint16(b))
		if n == 0 || len(b) < 2+n {
			return
		}
		s.dnsMessage(cp, b[2:2+n])
		b = b[2+n:]
	}
}

func (s *Sensor) dnsMessage(cp capture.Packet, msg []byte) {
	h, q, err := dns.FirstQuestion(msg, &s.nameBuf)
	if err != nil {
		s.stats.DNSErrors++
		return
	}
	s.stats.DNSMessages++
	if h.Response || h.Opcode != 0 || len(q.Name) == 0 {
		return
	}
	s.report(cp, observe.DNS, string(q.Name), nil, false)
}

func (s *Sensor) tlsHello(cp capture.Packet, b []byte) {
	h, err := tlshello.ParseRecord(b)
	switch {
	case errors.Is(err, tlshello.ErrIncomplete):
		s.stats.TLSSplit++
		return
	case err != nil:
		s.stats.TLSErrors++
		return
	}
	s.stats.TLSHellos++
	if len(h.SNI) == 0 {
		return
	}
	s.report(cp, observe.TLS, strings.ToLower(string(h.SNI)), h.ALPN, h.ECH)
}

func (s *Sensor) report(cp capture.Packet, src observe.Source, name string, alpn []byte, ech bool) {
	p := &s.pkt
	s.obs = observe.Observation{
		Time:      cp.Time,
		Source:    src,
		Domain:    name,
		SrcIP:     p.Src,
		DstIP:     p.Dst,
		SrcPort:   p.SrcPort,
		DstPort:   p.DstPort,
		Transport: transportName(p.Proto),
		ALPN:      string(alpn),
		ECH:       ech,
	}
	// An ECH outer name belongs to the fronting provider, not to the
	// service the user reached: never credit it to a catalog entry.
	if !ech {
		s.obs.Service = s.match.MatchDomain(name)
	}
	s.stats.Observations++
	s.emit(&s.obs)
}

// ReadFile runs a sensor over every packet of a capture file.
func ReadFile(path string, m Matcher, emit func(*observe.Observation)) (Stats, error) {
	f, err := capture.OpenFile(path)
	if err != nil {
		return Stats{}, err
	}
	defer f.Close()
	s := New(m, emit)
	for {
		p, err := f.Next()
		if err == io.EOF {
			return s.Stats(), nil
		}
		if err != nil {
			return s.Stats(), err
		}
		s.Packet(p)
	}
}

func transportName(proto uint8) string {
	switch proto {
	case decode.ProtoTCP:
		return "tcp"
	case decode.ProtoUDP:
		return "udp"
	}
	return ""
}
