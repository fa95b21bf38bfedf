// Package netsensor turns captured packets into observations: DNS query
// names (from queries, or from responses whose query was not seen), TLS
// server names from reassembled TCP first flights, QUIC server names from
// decrypted Initial packets, names for flows without a usable server name
// from a bounded map of what DNS answered, and connections to encrypted
// DNS resolvers. Every name is matched against the signature catalog.
//
// One observation stands for one real lookup or handshake: a retransmitted
// ClientHello, a duplicated DNS packet, or a query and its response count
// once.
package netsensor

import (
	"io"
	"net/netip"

	"github.com/gopacket/gopacket/layers"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/decode"
	"github.com/shadowai/shadowai/agent/internal/decode/dns"
	"github.com/shadowai/shadowai/agent/internal/defrag"
	"github.com/shadowai/shadowai/agent/internal/flow"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

// Matcher names the service a domain belongs to. *signatures.Catalog is
// one; the agent's runtime passes one whose catalog it can swap.
type Matcher interface {
	MatchDomain(name string) *signatures.Service
}

// Table sizes. They bound the sensor's memory whatever the traffic: about
// 16 MiB of reassembly windows at most, a few MiB of table entries, and
// the IP map's names (maxNamesPerIP per address: about 16 MiB only if
// every one were a distinct 253-byte name, far less for real names).
const (
	maxTCPFlows  = 16384
	maxQUICConns = 8192
	maxDNSTxns   = 16384
	maxIPNames   = 16384
	maxWindows   = 1024
	windowSize   = 16 << 10
	// handshakeTimeout gives up on a first flight that stays incomplete.
	handshakeTimeout = int64(30e9)
	// staleFlight is the age past which an incomplete first flight gives
	// its window up when windows run out: real handshakes take
	// milliseconds.
	staleFlight = int64(2e9)
	// dnsDupWindow is how long a DNS transaction is remembered, so a
	// duplicate or the response is recognised.
	dnsDupWindow = int64(30e9)
)

// tuple is the client-to-server socket an observation is about.
type tuple struct {
	src, dst         netip.Addr
	srcPort, dstPort uint16
	proto            uint8
}

func (t tuple) reverse() tuple {
	return tuple{src: t.dst, dst: t.src, srcPort: t.dstPort, dstPort: t.srcPort, proto: t.proto}
}

// Sensor decodes packets one at a time. It is not safe for concurrent use;
// run one per capture goroutine.
type Sensor struct {
	match Matcher
	emit  func(*observe.Observation)
	stats Stats

	pkt     decode.Packet
	now     int64
	frags   *defrag.Reassembler
	tcp     *flow.Table[tuple, tcpStream]
	quic    *flow.Table[tuple, quicConn]
	dnsTxns *flow.Table[dnsKey, dnsTxn]
	names   *flow.Table[netip.Addr, ipNames]
	// echPublic holds the outer names of real ECH configurations learned
	// from DNS (the known ones are knownECHPublicNames).
	echPublic *echPublicNames
	windows   windowPool
	// lastReclaim is when windows were last reclaimed from stale flights.
	lastReclaim int64

	nameBuf, nameBuf2 dns.Name
	helloScratch      []byte
	quicScratch       []byte
	obs               observe.Observation
}

// New returns a sensor that reports each observation to emit. emit must not
// keep the pointer past its return.
func New(m Matcher, emit func(*observe.Observation)) *Sensor {
	return &Sensor{
		match:        m,
		emit:         emit,
		frags:        defrag.New(),
		tcp:          flow.NewTable[tuple, tcpStream](maxTCPFlows),
		quic:         flow.NewTable[tuple, quicConn](maxQUICConns),
		dnsTxns:      flow.NewTable[dnsKey, dnsTxn](maxDNSTxns),
		names:        flow.NewTable[netip.Addr, ipNames](maxIPNames),
		echPublic:    newECHPublicNames(),
		windows:      windowPool{max: maxWindows},
		helloScratch: make([]byte, 0, windowSize),
		quicScratch:  make([]byte, 64<<10),
	}
}

// Packet decodes one captured frame.
func (s *Sensor) Packet(cp capture.Packet) {
	s.stats.Packets++
	s.stats.Bytes += uint64(len(cp.Data))
	if cp.Truncated {
		s.stats.Truncated++
	}
	s.now = cp.Time.UnixNano()
	p := &s.pkt
	if err := decode.Frame(cp.LinkType, cp.Data, p); err != nil {
		s.countDecodeError(err)
		return
	}
	if p.Frag.IsFrag && !s.defragment(p) {
		return
	}
	if p.Proto == decode.ProtoUDP && p.DstPort == decode.GTPUPort && p.SrcPort == decode.GTPUPort {
		if !s.tunnel(p) {
			return
		}
	}
	t := tuple{src: p.Src, dst: p.Dst, srcPort: p.SrcPort, dstPort: p.DstPort, proto: p.Proto}
	switch {
	case p.Proto == decode.ProtoUDP && (p.DstPort == 53 || p.SrcPort == 53):
		s.dnsMessage(t, p.Payload)
	case p.Proto == decode.ProtoUDP:
		s.quicDatagram(t, p.Payload)
	case p.Proto == decode.ProtoTCP:
		s.tcpSegment(t, p)
	}
}

// defragment feeds a fragment to the reassembler; when it completes a
// datagram, p is decoded again from the whole payload.
func (s *Sensor) defragment(p *decode.Packet) bool {
	whole, ok := s.frags.Add(p, s.now)
	if !ok {
		return false
	}
	if err := decode.Transport(p.Proto, whole, p); err != nil {
		s.countDecodeError(err)
		return false
	}
	return true
}

// tunnel replaces p by the packet inside a GTP-U tunnel. One level is
// unwrapped: the inner packet is what the subscriber sent.
func (s *Sensor) tunnel(p *decode.Packet) bool {
	inner, ok := decode.GTPU(p.Payload)
	if !ok {
		return false
	}
	if err := decode.Frame(layers.LinkTypeRaw, inner, p); err != nil {
		s.countDecodeError(err)
		return false
	}
	return !p.Frag.IsFrag || s.defragment(p)
}

// Finish ends the capture: first flights still incomplete are given up,
// and named from DNS where possible. Call it once, after the last packet.
func (s *Sensor) Finish() {
	s.tcp.Range(func(t tuple, sl *flow.Slot[tcpStream]) bool {
		if sl.V.state == tcpCollecting {
			s.giveUpTLS(t, &sl.V)
		}
		return true
	})
	s.quic.Range(func(t tuple, sl *flow.Slot[quicConn]) bool {
		if sl.V.state == quicCollecting {
			s.giveUpQUIC(t, &sl.V)
		}
		return true
	})
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
		if err != nil {
			s.Finish()
			if err == io.EOF {
				err = nil
			}
			return s.Stats(), err
		}
		s.Packet(p)
	}
}
