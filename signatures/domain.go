package signatures

import (
	"bytes"
	"fmt"
	"strings"
)

// maxName is the longest DNS name in presentation form (RFC 1035), without
// the trailing dot.
const maxName = 253

// sharedApexes are platforms whose apex domain hosts the whole world's
// content. A rule for one of them (or a public suffix) would flag everyone,
// so the catalog refuses it; a service on such a platform must name its
// own subdomain instead (gemini.google.com, not google.com).
var sharedApexes = map[string]bool{
	"google.com": true, "googleapis.com": true, "gstatic.com": true,
	"googleusercontent.com": true, "microsoft.com": true, "azure.com": true,
	"windows.net": true, "azureedge.net": true, "live.com": true, "office.com": true,
	"github.com": true, "githubusercontent.com": true, "amazonaws.com": true,
	"amazon.com": true, "cloudfront.net": true, "akamaized.net": true,
	"cloudflare.com": true, "workers.dev": true, "pages.dev": true,
	"fastly.net": true, "apple.com": true, "icloud.com": true, "meta.com": true,
	"facebook.com": true, "x.com": true, "twitter.com": true, "adobe.com": true,
	"salesforce.com": true, "zoom.us": true, "slack.com": true, "notion.so": true,
	"atlassian.net": true, "vercel.app": true, "netlify.app": true,
	"herokuapp.com": true, "baidu.com": true, "qq.com": true, "yandex.ru": true,
}

// publicSuffixes are the suffixes under which anyone can register a name.
// A rule may never equal one of them.
var publicSuffixes = map[string]bool{
	"com": true, "net": true, "org": true, "io": true, "ai": true, "app": true,
	"dev": true, "co": true, "us": true, "uk": true, "co.uk": true, "de": true,
	"fr": true, "cn": true, "com.cn": true, "jp": true, "so": true, "me": true,
	"xyz": true, "tech": true, "cloud": true, "chat": true, "run": true,
	"space": true, "site": true, "info": true, "biz": true,
}

type domainRule uint8

const (
	ruleSubtree domainRule = iota + 1 // the name and its subdomains
	ruleExact                         // the name only
	ruleExclude                       // never match the name or below
)

type domainEntry struct {
	svc  *Service
	rule domainRule
}

type domainIndex struct {
	m map[string]domainEntry
	// exact holds exact-only names apart, because a name can be both the
	// subtree root of one service and the exact name of none.
	exact map[string]*Service
}

func buildDomainIndex(svcs []*Service) (domainIndex, error) {
	ix := domainIndex{m: map[string]domainEntry{}, exact: map[string]*Service{}}
	for _, s := range svcs {
		for _, d := range s.Domains {
			if err := ix.add(s, d, ruleSubtree); err != nil {
				return ix, err
			}
		}
		for _, d := range s.Exact {
			if err := ix.add(s, d, ruleExact); err != nil {
				return ix, err
			}
		}
		for _, d := range s.Exclude {
			if err := ix.add(s, d, ruleExclude); err != nil {
				return ix, err
			}
		}
	}
	return ix, nil
}

func (ix domainIndex) add(s *Service, d string, rule domainRule) error {
	if err := checkRuleDomain(d); err != nil {
		return fmt.Errorf("service %q: %w", s.ID, err)
	}
	if rule == ruleExact {
		if prev := ix.exact[d]; prev != nil {
			return fmt.Errorf("service %q: exact domain %q is already claimed by %q", s.ID, d, prev.ID)
		}
		ix.exact[d] = s
		return nil
	}
	if prev, ok := ix.m[d]; ok {
		return fmt.Errorf("service %q: domain %q is already claimed by %q", s.ID, d, prev.svc.ID)
	}
	ix.m[d] = domainEntry{svc: s, rule: rule}
	return nil
}

// checkRuleDomain refuses names that are not lowercase DNS names, and names
// that would cover a public suffix or a shared platform.
func checkRuleDomain(d string) error {
	if d == "" || len(d) > maxName || d[0] == '.' || d[len(d)-1] == '.' || strings.Contains(d, "..") {
		return fmt.Errorf("domain %q is not a DNS name", d)
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return fmt.Errorf("domain %q: only lowercase letters, digits, '-' and '.' are allowed", d)
		}
	}
	if !strings.Contains(d, ".") || publicSuffixes[d] {
		return fmt.Errorf("domain %q is a public suffix; name the service's own domain", d)
	}
	if sharedApexes[d] {
		return fmt.Errorf("domain %q is a shared platform apex; name the service's own subdomain", d)
	}
	return nil
}

// MatchDomain returns the service a DNS name belongs to, or nil. The name
// may carry upper case (DNS 0x20) and a trailing dot. It does not allocate.
func (c *Catalog) MatchDomain(name string) *Service {
	var buf [maxName + 1]byte
	n := len(name)
	if n > 0 && name[n-1] == '.' {
		n--
	}
	if n == 0 || n > maxName {
		return nil
	}
	for i := 0; i < n; i++ {
		b := name[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		buf[i] = b
	}
	return c.domains.match(buf[:n])
}

func (ix domainIndex) match(name []byte) *Service {
	if s := ix.exact[string(name)]; s != nil {
		return s
	}
	for s := name; ; {
		if e, ok := ix.m[string(s)]; ok {
			if e.rule == ruleExclude {
				return nil
			}
			return e.svc
		}
		i := bytes.IndexByte(s, '.')
		if i < 0 {
			return nil
		}
		s = s[i+1:]
	}
}
