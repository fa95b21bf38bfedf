package netsensor

import (
	"encoding/binary"
	"errors"

	"github.com/shadowai/shadowai/agent/internal/decode"
	"github.com/shadowai/shadowai/agent/internal/decode/tlshello"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/reassembly"
)

// TCP stream states.
const (
	// tcpCollecting: reassembling the first flight (a ClientHello, or DNS
	// messages on port 53).
	tcpCollecting uint8 = iota + 1
	// tcpDone: decided; later segments cost one table lookup.
	tcpDone
)

// tcpStream is one direction of a TCP connection: offset 0 of buf is
// sequence number base.
type tcpStream struct {
	state    uint8
	dns      bool
	segments uint16
	base     uint32
	start    int64
	buf      reassembly.Buffer
}

// tcpSegment follows a client's first flight. Streams are created on the
// SYN (so out-of-order first segments are kept) or, when the capture
// started mid-connection, on a segment that begins a ClientHello; every
// other segment of an untracked connection costs one failed lookup.
func (s *Sensor) tcpSegment(t tuple, p *decode.Packet) {
	dnsPort := t.dstPort == 53 || t.srcPort == 53
	sl := s.tcp.Get(t)
	if sl != nil && p.TCPFlags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn && sl.V.base != p.Seq+1 {
		// A new connection on the same ports whose predecessor's FIN was
		// not captured.
		s.release(&sl.V.buf)
		s.tcp.Delete(t)
		sl = nil
	}
	if sl == nil {
		sl = s.newStream(t, p, dnsPort)
		if sl == nil {
			return
		}
	}
	st := &sl.V
	sl.Last = s.now
	if st.state == tcpCollecting && len(p.Payload) > 0 {
		s.collect(t, st, p)
	}
	if p.TCPFlags&(decode.TCPFin|decode.TCPRst) != 0 {
		if st.state == tcpCollecting && !st.dns {
			s.giveUpTLS(t, st)
		}
		s.release(&st.buf)
		s.tcp.Delete(t)
	}
}

func (s *Sensor) newStream(t tuple, p *decode.Packet, dnsPort bool) *flowSlot {
	syn := p.TCPFlags&decode.TCPSyn != 0
	base := p.Seq
	switch {
	case syn && (p.TCPFlags&decode.TCPAck == 0 || dnsPort):
		base++ // the SYN takes one sequence number
	case dnsPort && len(p.Payload) > 0, tlshello.IsRecordStart(p.Payload):
	default:
		return nil
	}
	sl := s.tcp.Put(t, s.now, s.dropStream)
	sl.V = tcpStream{state: tcpCollecting, dns: dnsPort, base: base, start: s.now}
	return sl
}

// dropStream recycles the window of an evicted stream, counting the loss
// of one still being reassembled.
func (s *Sensor) dropStream(st *tcpStream) {
	if st.state == tcpCollecting {
		s.stats.FlowsEvicted++
	}
	s.release(&st.buf)
}

func (s *Sensor) collect(t tuple, st *tcpStream, p *decode.Packet) {
	if !s.attachWindow(&st.buf) {
		st.state = tcpDone
		return
	}
	off := int(int32(p.Seq - st.base))
	if err := st.buf.Write(off, p.Payload); err != nil {
		s.stats.TCPOutOfWindow++
	}
	st.segments++
	if st.dns {
		s.dnsStream(t, st)
		return
	}
	s.tlsStream(t, st)
}

func (s *Sensor) tlsStream(t tuple, st *tcpStream) {
	h, err := tlshello.ParseStream(st.buf.Prefix(), &s.helloScratch)
	switch {
	case errors.Is(err, tlshello.ErrIncomplete):
		if st.buf.Contiguous() == len(st.buf.Window()) || s.now-st.start > handshakeTimeout {
			s.giveUpTLS(t, st)
		}
		return
	case errors.Is(err, tlshello.ErrNotHello):
		// Not TLS: plain TCP, still worth naming from DNS.
		s.finishTCP(st)
		s.reportIPName(t, "not_tls")
		return
	case err != nil:
		// A hello damaged after its server name still names the flow,
		// as it does for tshark.
		s.stats.TLSErrors++
		s.finishTCP(st)
		s.helloOrIPName(t, observe.TLS, h, "tls_error")
		return
	}
	s.stats.TLSHellos++
	if st.segments > 1 {
		s.stats.TLSReassembled++
	}
	s.finishTCP(st)
	s.hello(t, observe.TLS, h)
}

// giveUpTLS ends a first flight that will not complete; the connection is
// named from DNS if it can be.
// The server name is taken from the part that did arrive when it is
// there whole.
func (s *Sensor) giveUpTLS(t tuple, st *tcpStream) {
	if st.segments == 0 {
		s.finishTCP(st)
		return
	}
	s.stats.TLSIncomplete++
	h := tlshello.ParsePartial(st.buf.Prefix())
	s.finishTCP(st)
	s.helloOrIPName(t, observe.TLS, h, "tls_incomplete")
}

func (s *Sensor) finishTCP(st *tcpStream) {
	st.state = tcpDone
	s.release(&st.buf)
}

// dnsStream reads length-prefixed DNS messages (RFC 1035 section 4.2.2)
// as they complete, sliding the window so a long-lived connection is
// read whole.
func (s *Sensor) dnsStream(t tuple, st *tcpStream) {
	for {
		b := st.buf.Prefix()
		if len(b) < 2 {
			return
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			if st.buf.Contiguous() == len(st.buf.Window()) {
				s.stats.DNSErrors++
				s.finishTCP(st)
			}
			return
		}
		if n > 0 {
			s.dnsMessage(t, b[2:2+n])
		}
		st.buf.Consume(2 + n)
		st.base += uint32(2 + n)
	}
}
