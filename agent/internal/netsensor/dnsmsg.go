package netsensor

import (
	"net/netip"

	"github.com/shadowai/shadowai/agent/internal/decode/dns"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// dnsKey identifies one DNS transaction from the client's side.
type dnsKey struct {
	client, server         netip.Addr
	clientPort, serverPort uint16
	id                     uint16
}

// dnsTxn remembers a reported lookup so its duplicates and its response
// are not reported again.
type dnsTxn struct {
	name  uint64 // hash of the question name
	first int64
}

// dnsMessage reads one DNS message seen on socket t (either direction).
// A query is reported once; a response is reported only when its query
// was not seen, and its answers feed the IP-to-name map either way.
func (s *Sensor) dnsMessage(t tuple, msg []byte) {
	h, q, next, err := dns.FirstQuestion(msg, &s.nameBuf)
	if err != nil {
		s.stats.DNSErrors++
		return
	}
	s.stats.DNSMessages++
	if h.Opcode != 0 || len(q.Name) == 0 {
		return
	}
	client := t
	if h.Response {
		client = t.reverse()
	}
	if s.firstSighting(client, h.ID, q.Name) {
		if h.Response {
			s.stats.DNSResponsesOnly++
		}
		s.reportLookup(client, string(q.Name))
	}
	if h.Response && h.ANCount > 0 {
		s.learnAnswers(msg, next, int(h.ANCount), q.Name)
	}
}

// firstSighting records the transaction and reports whether it is new.
func (s *Sensor) firstSighting(c tuple, id uint16, name []byte) bool {
	k := dnsKey{client: c.src, server: c.dst, clientPort: c.srcPort, serverPort: c.dstPort, id: id}
	hash := fnv64(name)
	if sl := s.dnsTxns.Get(k); sl != nil && sl.V.name == hash && s.now-sl.V.first < dnsDupWindow {
		s.stats.DNSDuplicates++
		return false
	}
	sl := s.dnsTxns.Put(k, s.now, s.dropTxn)
	sl.V = dnsTxn{name: hash, first: s.now}
	return true
}

// dropTxn counts a transaction pushed out while its duplicates or
// response could still come.
func (s *Sensor) dropTxn(x *dnsTxn) {
	if s.now-x.first < dnsDupWindow {
		s.stats.FlowsEvicted++
	}
}

// reportLookup reports a lookup; Firefox's canary domain is an encrypted
// DNS signal (RFC-less, documented by Mozilla: a resolver that answers
// NXDOMAIN turns Firefox's default DoH off).
func (s *Sensor) reportLookup(c tuple, name string) {
	if name == canaryDomain {
		s.report(c, observe.EncryptedDNS, name, nil, false, map[string]string{"protocol": "canary"})
		return
	}
	s.report(c, observe.DNS, name, nil, false, nil)
}

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
