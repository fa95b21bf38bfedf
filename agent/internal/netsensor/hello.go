package netsensor

import (
	"github.com/shadowai/shadowai/agent/internal/decode/dns"
	"github.com/shadowai/shadowai/agent/internal/decode/tlshello"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// hello reports a parsed ClientHello (src tls or quic). An ECH extension
// hides the destination only when the outer name is an ECH public name
// (see echHidden); otherwise it is GREASE and the name is the real one. A hello to an
// encrypted DNS resolver is reported as encrypted_dns; one without a
// server name, or with ECH (whose outer name is the fronting provider's),
// is also named from DNS.
func (s *Sensor) hello(t tuple, src observe.Source, h tlshello.Hello) {
	name := string(dns.AppendHost(&s.nameBuf, h.SNI))
	if name == "" {
		s.reportIPName(t, "no_sni")
		return
	}
	if proto := encryptedDNS(t, name); proto != "" && !h.ECH {
		s.report(t, observe.EncryptedDNS, name, h.ALPN, false, map[string]string{"protocol": proto, "via": string(src)})
		return
	}
	if h.ECH && !s.echHidden(name) {
		// GREASE: Chrome sends an ECH extension on every connection that
		// has no ECH configuration, with the real name outside.
		s.report(t, src, name, h.ALPN, false, map[string]string{"ech": "grease"})
		return
	}
	s.report(t, src, name, h.ALPN, h.ECH, nil)
	if h.ECH {
		s.reportIPName(t, "ech")
	}
}

// helloOrIPName reports a hello that may lack a server name (cut short,
// damaged): without one the flow is named from DNS, with reason.
func (s *Sensor) helloOrIPName(t tuple, src observe.Source, h tlshello.Hello, reason string) {
	if len(h.SNI) == 0 {
		s.reportIPName(t, reason)
		return
	}
	s.hello(t, src, h)
}
