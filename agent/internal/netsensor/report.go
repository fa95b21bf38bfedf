package netsensor

import (
	"time"

	"github.com/shadowai/shadowai/agent/internal/decode"
	"github.com/shadowai/shadowai/agent/internal/flow"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/reassembly"
	"github.com/shadowai/shadowai/signatures"
)

// report emits one observation about the client-to-server socket t,
// credited to the service name belongs to. Encrypted-DNS observations and
// ECH outer names are never credited to a catalog service: the name is
// the resolver's or the fronting provider's, not the service the user
// reached.
func (s *Sensor) report(t tuple, src observe.Source, name string, alpn []byte, ech bool, attrs map[string]string) {
	var svc *signatures.Service
	if !ech && src != observe.EncryptedDNS && name != "" {
		svc = s.match.MatchDomain(name)
	}
	s.emitObservation(t, src, name, svc, alpn, ech, attrs)
}

// emitObservation emits one observation credited to svc (nil for none).
func (s *Sensor) emitObservation(t tuple, src observe.Source, name string, svc *signatures.Service, alpn []byte, ech bool, attrs map[string]string) {
	s.obs = observe.Observation{
		Time:      timeOf(s.now),
		Source:    src,
		Domain:    name,
		Service:   svc,
		SrcIP:     t.src,
		DstIP:     t.dst,
		SrcPort:   t.srcPort,
		DstPort:   t.dstPort,
		Transport: transportName(t.proto),
		ALPN:      string(alpn),
		ECH:       ech,
		Attrs:     attrs,
	}
	s.stats.Observations++
	s.emit(&s.obs)
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

// windowPool recycles the 16 KiB reassembly windows, at most max of them
// in use at once.
type windowPool struct {
	free  [][]byte
	inUse int
	max   int
}

func (w *windowPool) get() []byte {
	if w.inUse >= w.max {
		return nil
	}
	w.inUse++
	if n := len(w.free); n > 0 {
		b := w.free[n-1]
		w.free = w.free[:n-1]
		return b
	}
	return make([]byte, windowSize)
}

// window gets a reassembly window. When all are taken (a flood of first
// flights that never complete) it first gives up flights older than
// staleFlight, at most once a second, so new handshakes are not starved.
func (s *Sensor) window() []byte {
	if w := s.windows.get(); w != nil {
		return w
	}
	if s.now-s.lastReclaim < int64(time.Second) {
		return nil
	}
	s.lastReclaim = s.now
	s.tcp.Range(func(t tuple, sl *flow.Slot[tcpStream]) bool {
		if sl.V.state == tcpCollecting && sl.V.buf.Window() != nil && s.now-sl.V.start > staleFlight {
			s.giveUpTLS(t, &sl.V)
		}
		return true
	})
	s.quic.Range(func(t tuple, sl *flow.Slot[quicConn]) bool {
		if sl.V.state == quicCollecting && sl.V.buf.Window() != nil && s.now-sl.V.start > staleFlight {
			s.giveUpQUIC(t, &sl.V)
		}
		return true
	})
	return s.windows.get()
}

// attachWindow gives b a window unless it has one; false (counted) when
// none is free.
func (s *Sensor) attachWindow(b *reassembly.Buffer) bool {
	if b.Window() != nil {
		return true
	}
	w := s.window()
	if w == nil {
		s.stats.NoBuffer++
		return false
	}
	b.Reset(w)
	return true
}

// release returns a buffer's window to the pool.
func (s *Sensor) release(b *reassembly.Buffer) {
	s.windows.put(b.Window())
	b.Reset(nil)
}

func (w *windowPool) put(b []byte) {
	if b == nil {
		return
	}
	w.inUse--
	w.free = append(w.free, b)
}

type flowSlot = flow.Slot[tcpStream]
