package netsensor

import (
	"errors"

	"github.com/shadowai/shadowai/agent/internal/decode/quic"
	"github.com/shadowai/shadowai/agent/internal/decode/tlshello"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/reassembly"
)

// QUIC connection states.
const (
	quicCollecting uint8 = iota + 1
	quicDone
)

// quicConn is a client's QUIC connection as seen from its Initial packets:
// the CRYPTO stream being reassembled and the keys of the last DCID.
type quicConn struct {
	state     uint8
	decrypted bool
	start     int64
	keys      *quic.Keys
	buf       reassembly.Buffer
}

// quicDatagram reads a UDP datagram that may carry QUIC. Short-header
// packets (all traffic after the handshake) and server packets cost a
// byte test and at most two lookups.
func (s *Sensor) quicDatagram(t tuple, b []byte) {
	if !quic.IsLong(b) {
		if quic.IsGQUICLegacy(b) {
			s.gquic(t, b)
		}
		return
	}
	if s.quic.Get(t.reverse()) != nil {
		return // the server's side of a connection we follow
	}
	sl := s.quic.Get(t)
	if sl != nil && sl.V.state == quicDone {
		return
	}
	v := quic.Version(b)
	switch quic.Classify(v) {
	case quic.IETF:
	case quic.GQUIC:
		s.gquic(t, b)
		return
	case quic.Unknown:
		if t.dstPort == 443 || t.dstPort == 853 {
			s.stats.QUICUnknown++
			s.quicOpaque(t, "quic_unknown_version")
		}
		return
	default:
		return
	}
	if sl == nil {
		sl = s.quic.Put(t, s.now, s.dropConn)
		sl.V = quicConn{state: quicCollecting, start: s.now}
	}
	sl.Last = s.now
	s.quicPackets(t, &sl.V, b)
}

// gquic reads the clear-text CHLO of a Google QUIC connection (up to
// Q046) once; without one (Q050 encrypts it) the flow is named from DNS.
func (s *Sensor) gquic(t tuple, b []byte) {
	if s.quic.Get(t) != nil || s.quic.Get(t.reverse()) != nil {
		return
	}
	s.stats.GQUIC++
	sni := quic.GQUICServerName(b)
	if len(sni) == 0 {
		s.quicOpaque(t, "gquic")
		return
	}
	s.quic.Put(t, s.now, s.dropConn).V.state = quicDone
	s.hello(t, observe.QUIC, tlshello.Hello{SNI: sni})
}

// quicOpaque records a connection whose Initials cannot be read, once,
// named from DNS where possible.
func (s *Sensor) quicOpaque(t tuple, reason string) {
	if s.quic.Get(t) != nil {
		return
	}
	sl := s.quic.Put(t, s.now, s.dropConn)
	sl.V.state = quicDone
	s.reportIPName(t, reason)
}

func (s *Sensor) dropConn(c *quicConn) {
	if c.state == quicCollecting {
		s.stats.FlowsEvicted++
	}
	s.release(&c.buf)
}

// quicPackets walks the coalesced packets of one datagram.
func (s *Sensor) quicPackets(t tuple, c *quicConn, b []byte) {
	for len(b) > 0 && c.state == quicCollecting {
		h, err := quic.ParseLong(b)
		switch {
		case errors.Is(err, quic.ErrNotInitial):
		case err != nil:
			s.quicFailed(t, c)
			return
		default:
			s.stats.QUICInitials++
			s.quicInitial(t, c, b, h)
		}
		if h.Size <= 0 || h.Size > len(b) {
			return
		}
		b = b[h.Size:]
	}
}

func (s *Sensor) quicInitial(t tuple, c *quicConn, b []byte, h quic.Long) {
	plain, err := s.openInitial(c, b, h)
	if err != nil {
		s.quicFailed(t, c)
		return
	}
	c.decrypted = true
	if !s.attachWindow(&c.buf) {
		c.state = quicDone
		return
	}
	fr := quic.NewFrames(plain, h.Version)
	for {
		off, data, ok := fr.NextCrypto()
		if !ok {
			break
		}
		if err := c.buf.Write(int(off), data); err != nil {
			s.stats.TCPOutOfWindow++
		}
	}
	s.quicHello(t, c)
}

// openInitial decrypts with the keys of the connection's first DCID: the
// client keeps using them after it switches to the server's connection
// ID. Only when they fail and the DCID differs (after a Retry, or a new
// connection from the same port) are keys derived from the packet's DCID.
func (s *Sensor) openInitial(c *quicConn, b []byte, h quic.Long) ([]byte, error) {
	if c.keys != nil {
		plain, err := c.keys.Open(b, h, s.quicScratch)
		if err == nil || c.keys.Matches(h.Version, h.DCID) {
			return plain, err
		}
	}
	k, err := quic.ClientKeys(h.Version, h.DCID)
	if err != nil {
		return nil, err
	}
	plain, err := k.Open(b, h, s.quicScratch)
	if err != nil {
		if alt, ok := quic.AltClientKeys(h.Version, h.DCID); ok {
			if p, aerr := alt.Open(b, h, s.quicScratch); aerr == nil {
				plain, err, k = p, nil, alt
			}
		}
	}
	if err == nil || c.keys == nil {
		c.keys = k
	}
	return plain, err
}

// quicFailed counts an Initial that did not decrypt. A connection none of
// whose Initials decrypted is opaque (an unknown draft, a fuzzed packet)
// and is named from DNS; one that did is left to finish.
func (s *Sensor) quicFailed(t tuple, c *quicConn) {
	s.stats.QUICUndecryptable++
	if !c.decrypted {
		s.finishQUIC(c)
		s.reportIPName(t, "quic_undecryptable")
	}
}

func (s *Sensor) quicHello(t tuple, c *quicConn) {
	h, err := tlshello.ParseHandshake(c.buf.Prefix())
	switch {
	case errors.Is(err, tlshello.ErrIncomplete), errors.Is(err, tlshello.ErrNotHello) && c.buf.Contiguous() < 4:
		if c.buf.Contiguous() == len(c.buf.Window()) || s.now-c.start > handshakeTimeout {
			s.giveUpQUIC(t, c)
		}
		return
	case err != nil:
		s.stats.TLSErrors++
		s.finishQUIC(c)
		s.reportIPName(t, "tls_error")
		return
	}
	s.stats.QUICHellos++
	s.finishQUIC(c)
	s.hello(t, observe.QUIC, h)
}

func (s *Sensor) giveUpQUIC(t tuple, c *quicConn) {
	s.stats.QUICIncomplete++
	h := tlshello.ParsePartialHandshake(c.buf.Prefix())
	s.finishQUIC(c)
	s.helloOrIPName(t, observe.QUIC, h, "quic_incomplete")
}

func (s *Sensor) finishQUIC(c *quicConn) {
	c.state = quicDone
	c.keys = nil
	s.release(&c.buf)
}
