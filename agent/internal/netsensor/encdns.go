package netsensor

import (
	"net/netip"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/decode"
)

// canaryDomain is Firefox's DoH canary (use-application-dns.net): its
// lookup shows a Firefox that will switch to its own DoH resolver unless
// the network answers NXDOMAIN.
const canaryDomain = "use-application-dns.net"

// dohNames are public DNS-over-HTTPS/TLS/QUIC resolver names; a name
// matches itself and its subdomains. The list covers the resolvers that
// browsers and operating systems offer by default.
var dohNames = []string{
	"dns.google", "dns.google.com", "8888.google",
	"cloudflare-dns.com", "one.one.one.one", "1dot1dot1dot1.cloudflare-dns.com",
	"dns.quad9.net", "dns9.quad9.net", "dns10.quad9.net", "dns11.quad9.net",
	"doh.opendns.com", "dns.opendns.com", "doh.familyshield.opendns.com",
	"dns.nextdns.io", "dns.adguard.com", "dns.adguard-dns.com", "unfiltered.adguard-dns.com",
	"doh.cleanbrowsing.org", "doh.mullvad.net", "dns.mullvad.net", "base.dns.mullvad.net",
	"freedns.controld.com", "doh.dns.sb", "dns.alidns.com", "doh.pub", "dns.twnic.tw",
	"doh.xfinity.com", "doh.libredns.gr", "dns.switch.ch", "doh.ffmuc.net",
}

// dohAddrs are the anycast addresses of the same resolvers: a TLS
// connection to them on 443 without a server name is DoH by address.
var dohAddrs = map[netip.Addr]bool{}

func init() {
	for _, a := range []string{
		"8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",
		"1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001",
		"9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9",
		"208.67.222.222", "208.67.220.220", "94.140.14.14", "94.140.15.15",
		"185.228.168.168", "185.228.169.168", "194.242.2.2", "76.76.2.0",
	} {
		dohAddrs[netip.MustParseAddr(a)] = true
	}
}

// encryptedDNS says which encrypted DNS protocol socket t with server
// name name speaks, or "" for none: anything on port 853 is DoT (TCP) or
// DoQ (UDP); on 443 a resolver name or, without a name, a resolver
// address means DoH.
func encryptedDNS(t tuple, name string) string {
	if t.dstPort == 853 {
		if t.proto == decode.ProtoUDP {
			return "doq"
		}
		return "dot"
	}
	if t.dstPort != 443 {
		return ""
	}
	if name != "" {
		if isDoHName(name) {
			return "doh"
		}
		return ""
	}
	if dohAddrs[t.dst] {
		return "doh"
	}
	return ""
}

func isDoHName(name string) bool {
	for _, d := range dohNames {
		if name == d || (strings.HasSuffix(name, d) && name[len(name)-len(d)-1] == '.') {
			return true
		}
	}
	return false
}
