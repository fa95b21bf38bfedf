package netsensor

import (
	"net/netip"

	"github.com/shadowai/shadowai/agent/internal/decode/dns"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// ipName is the name an address was last given by a DNS answer: the name
// the client asked for, at the head of any CNAME chain.
type ipName struct {
	name string
}

// maxChain bounds the CNAME chain followed from the question.
const maxChain = 8

// learnAnswers maps every A and AAAA record reached from the question
// name through CNAMEs to the question name.
func (s *Sensor) learnAnswers(msg []byte, off, count int, qname []byte) {
	var chain [maxChain]uint64
	chain[0] = fnv64(qname)
	n := 1
	qstr := ""
	rs := dns.NewRecords(msg, off, count)
	for {
		rr, ln, ok := rs.Next(&s.nameBuf2)
		if !ok {
			break
		}
		if rr.Type == dns.TypeHTTPS {
			dns.ECHPublicNames(rr.Data, s.learnECHPublicName)
			continue
		}
		if !inChain(chain[:n], fnv64(s.nameBuf2[:ln])) {
			continue
		}
		switch rr.Type {
		case dns.TypeCNAME:
			var target dns.Name
			tn, _, err := dns.ReadName(msg, rr.DataOff, &target)
			if err == nil && n < maxChain {
				chain[n] = fnv64(target[:tn])
				n++
			}
		case dns.TypeA, dns.TypeAAAA:
			addr, ok := netip.AddrFromSlice(rr.Data)
			if !ok {
				continue
			}
			s.learn(addr.Unmap(), qname, &qstr)
		}
	}
	if rs.Err() != nil {
		s.stats.DNSErrors++
	}
}

func inChain(chain []uint64, h uint64) bool {
	for _, c := range chain {
		if c == h {
			return true
		}
	}
	return false
}

// learn maps addr to name. *qstr is name as a string, made the first time
// an entry needs it and shared by the answer's records: an answer that
// repeats what the map holds costs no allocation.
func (s *Sensor) learn(addr netip.Addr, name []byte, qstr *string) {
	sl := s.names.Get(addr)
	if sl != nil && sl.V.name == string(name) {
		sl.Last = s.now
		return
	}
	if *qstr == "" {
		*qstr = string(name)
	}
	if sl == nil {
		sl = s.names.Put(addr, s.now, nil)
	}
	sl.Last, sl.V.name = s.now, *qstr
}

// reportIPName names a flow that has no usable server name (no SNI, ECH,
// not TLS, an unreadable QUIC handshake) from the DNS answer that gave
// out its destination address. Connections to encrypted DNS resolvers
// are reported as such.
func (s *Sensor) reportIPName(t tuple, reason string) {
	name := ""
	if sl := s.names.Get(t.dst); sl != nil {
		name = sl.V.name
	}
	if proto := encryptedDNS(t, name); proto != "" {
		s.report(t, observe.EncryptedDNS, name, nil, false, map[string]string{"protocol": proto})
		return
	}
	if name == "" {
		return
	}
	s.stats.IPNames++
	s.report(t, observe.IP, name, nil, false, map[string]string{"reason": reason})
}
