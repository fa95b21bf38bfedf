package netsensor

import (
	"net/netip"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/decode/dns"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

// maxNamesPerIP bounds the names kept per address: a CDN address is
// answered for many names, and a few recent ones are enough to tell
// whether they agree.
const maxNamesPerIP = 4

// A learned name counts for its DNS TTL, clamped: CDNs answer with TTLs
// of seconds while clients keep the address (and its connections) for
// longer, and a name that DNS has not repeated for an hour is no longer
// evidence for what an address serves.
const (
	minNameTTL = int64(60e9)
	maxNameTTL = int64(3600e9)
)

// ipCandidatesKey is the attribute listing the names of an address whose
// services disagree.
const ipCandidatesKey = "ip_candidates"

// ipNames holds the names DNS answers gave an address, most recently
// learned first; each is the name the client asked for, at the head of
// any CNAME chain. Unused slots are at the end, with no name.
type ipNames struct {
	names [maxNamesPerIP]learnedName
}

type learnedName struct {
	name    string
	learned int64 // capture time, ns
	expires int64
}

// maxChain bounds the CNAME chain followed from the question.
const maxChain = 8

// learnAnswers maps every A and AAAA record reached from the question
// name through CNAMEs to the question name, for the shortest TTL along
// the chain.
func (s *Sensor) learnAnswers(msg []byte, off, count int, qname []byte) {
	var chain [maxChain]uint64
	chain[0] = fnv64(qname)
	n := 1
	chainTTL := uint32(maxNameTTL / 1e9)
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
				chainTTL = min(chainTTL, rr.TTL)
			}
		case dns.TypeA, dns.TypeAAAA:
			addr, ok := netip.AddrFromSlice(rr.Data)
			if !ok {
				continue
			}
			s.learn(addr.Unmap(), qname, min(chainTTL, rr.TTL), &qstr)
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

// nameLifetime is how long a name learned with a TTL of ttl seconds
// counts, in ns.
func nameLifetime(ttl uint32) int64 {
	return min(max(int64(ttl)*1e9, minNameTTL), maxNameTTL)
}

// learn adds name to addr's names for ttl seconds. *qstr is name as a
// string, made the first time an entry needs it and shared by the
// answer's records: an answer that repeats what the map holds costs no
// allocation.
func (s *Sensor) learn(addr netip.Addr, name []byte, ttl uint32, qstr *string) {
	sl := s.names.Get(addr)
	if sl == nil {
		sl = s.names.Put(addr, s.now, nil)
	}
	sl.Last = s.now
	sl.V.add(name, s.now, s.now+nameLifetime(ttl), qstr)
}

// add records name as learned now, in order of learning (normally at the
// front). A name not held takes the place of the least recently learned
// expired one, or else of the least recently learned. Capture times can
// go back (merged or unordered captures): an answer older than what the
// map holds neither shortens a name's life nor makes it the most recent.
func (v *ipNames) add(name []byte, now, expires int64, qstr *string) {
	i := v.index(name)
	if i < 0 {
		i = v.victim(now)
		if *qstr == "" {
			*qstr = string(name)
		}
		v.names[i] = learnedName{name: *qstr}
	}
	e := v.names[i]
	e.learned, e.expires = max(e.learned, now), max(e.expires, expires)
	last := len(v.names) - 1
	copy(v.names[i:], v.names[i+1:])
	v.names[last] = learnedName{}
	p := 0
	for p < last && v.names[p].name != "" && v.names[p].learned > e.learned {
		p++
	}
	copy(v.names[p+1:], v.names[p:last])
	v.names[p] = e
}

func (v *ipNames) index(name []byte) int {
	for i := range v.names {
		if v.names[i].name == string(name) {
			return i
		}
	}
	return -1
}

func (v *ipNames) victim(now int64) int {
	// The most recently learned may be the only expired one: its TTL can
	// be shorter than those learned before it.
	for i := len(v.names) - 1; i >= 0; i-- {
		if v.names[i].expires <= now {
			return i
		}
	}
	return len(v.names) - 1
}

// live returns the names that have not expired, most recent first.
func (v *ipNames) live(now int64, out []string) []string {
	for _, e := range v.names {
		if e.name != "" && e.expires > now {
			out = append(out, e.name)
		}
	}
	return out
}

// reportIPName names a flow that has no usable server name (no SNI, ECH,
// not TLS, an unreadable QUIC handshake) from the DNS answers that gave
// out its destination address. Connections to encrypted DNS resolvers
// are reported as such.
func (s *Sensor) reportIPName(t tuple, reason string) {
	var buf [maxNamesPerIP]string
	var names []string
	if sl := s.names.Get(t.dst); sl != nil {
		names = sl.V.live(s.now, buf[:0])
	}
	name := ""
	if len(names) > 0 {
		name = names[0]
	}
	if proto := encryptedDNS(t, name); proto != "" {
		s.report(t, observe.EncryptedDNS, name, nil, false, map[string]string{"protocol": proto})
		return
	}
	if name == "" {
		return
	}
	s.stats.IPNames++
	attrs := map[string]string{"reason": reason}
	svc, agree := s.sameService(names)
	if !agree {
		s.stats.IPAmbiguous++
		attrs[ipCandidatesKey] = strings.Join(names, ",")
	}
	s.emitObservation(t, observe.IP, name, svc, nil, false, attrs)
}

// sameService returns the service every name belongs to (nil when none
// is AI), and false when they disagree: names of two services, or of an
// AI service and a name that is not AI. The flow could be any of them, so
// none is credited.
func (s *Sensor) sameService(names []string) (*signatures.Service, bool) {
	svc := s.match.MatchDomain(names[0])
	for _, n := range names[1:] {
		if serviceID(s.match.MatchDomain(n)) != serviceID(svc) {
			return nil, false
		}
	}
	return svc, true
}

func serviceID(svc *signatures.Service) string {
	if svc == nil {
		return ""
	}
	return svc.ID
}
