// Package observe defines the Observation, the unit every agent sensor
// produces and every later stage (aggregate, spool, uplink) consumes, and
// its jsonl and table renderings.
package observe

import (
	"net/netip"
	"time"

	"github.com/shadowai/shadowai/signatures"
)

// Source says where an observation was made.
type Source string

// Sources. New sensors add values here; the collector keeps values it does
// not know.
const (
	DNS          Source = "dns"
	TLS          Source = "tls"
	QUIC         Source = "quic"
	Process      Source = "process"
	IP           Source = "ip"
	EncryptedDNS Source = "encrypted_dns"
	Extension    Source = "extension"
	ModelStore   Source = "model_store"
	Listener     Source = "listener"
)

// Observation is one thing one sensor saw once.
type Observation struct {
	Time   time.Time
	Source Source
	// Domain is the DNS name (query, SNI, or the name an IP resolved from).
	Domain string
	// Service is the matched catalog entry, nil when nothing matched.
	Service *signatures.Service
	SrcIP   netip.Addr
	DstIP   netip.Addr
	SrcPort uint16
	DstPort uint16
	// Transport is "tcp" or "udp" for network observations; with the
	// addresses and ports it identifies the socket for attribution.
	Transport string
	PID       int
	Exe       string
	// Process is the process name (comm or image name).
	Process string
	User    string
	// ALPN is the first ALPN protocol the client offered (TLS, QUIC).
	ALPN string
	// ECH is set when the ClientHello carried Encrypted Client Hello: the
	// domain is then only the outer (public) name, not the real destination.
	ECH bool
	// Attrs carries rarer details (extension id, model store path, ...).
	Attrs map[string]string
}

// AI reports whether the observation matched a catalog service.
func (o *Observation) AI() bool { return o.Service != nil }
