package signatures

import (
	"fmt"
	"math/bits"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// maxName is the longest DNS name in presentation form (RFC 1035), without
// the trailing dot.
const maxName = 253

// sharedApexes are platforms whose apex domain hosts the whole world's
// content or a general product far larger than its AI features. A rule for
// one of them would flag everyone, so the catalog refuses it; a service on
// such a platform must name its own subdomain (gemini.google.com, not
// google.com). Public suffixes, including private ones such as
// blob.core.windows.net or vercel.app, are refused through the Public
// Suffix List.
var sharedApexes = map[string]bool{
	"google.com": true, "googleapis.com": true, "gstatic.com": true, "google": true,
	"googleusercontent.com": true, "withgoogle.com": true, "microsoft.com": true, "azure.com": true,
	"windows.net": true, "azureedge.net": true, "live.com": true, "office.com": true, "bing.com": true,
	"cloud.microsoft": true, "github.com": true, "githubusercontent.com": true, "amazonaws.com": true,
	"amazon.com": true, "cloudfront.net": true, "akamaized.net": true, "akamaiedge.net": true,
	"cloudflare.com": true, "cloudflare.net": true, "workers.dev": true, "pages.dev": true,
	"fastly.net": true, "apple.com": true, "icloud.com": true, "meta.com": true,
	"facebook.com": true, "x.com": true, "twitter.com": true, "adobe.com": true,
	"salesforce.com": true, "zoom.us": true, "slack.com": true, "notion.so": true,
	"atlassian.net": true, "vercel.app": true, "netlify.app": true, "herokuapp.com": true,
	"baidu.com": true, "qq.com": true, "tencent.com": true, "aliyun.com": true, "alibabacloud.com": true,
	"yandex.ru": true, "yandex.com": true, "ya.ru": true, "vk.com": true, "sber.ru": true, "360.cn": true,
	"box.com": true, "dropbox.com": true, "docusign.com": true, "workday.com": true,
	"servicenow.com": true, "zendesk.com": true, "hubspot.com": true, "tableau.com": true,
	"powerbi.com": true, "livekit.cloud": true, "b-cdn.net": true, "cloudinary.com": true,
	"imgix.net": true, "sentry.io": true, "datadoghq.com": true, "qualtrics.com": true,
	"vsassets.io": true, "intellij.net": true, "jetbrains.com": true,
}

// checkRuleDomain refuses names that are not lowercase DNS names, and names
// that would cover a public suffix or a shared platform. A user-content
// host (hf.space) may be a private public suffix: that is what it is.
func checkRuleDomain(d string, userContent bool) error {
	if err := checkSyntax(d); err != nil {
		return err
	}
	if sharedApexes[d] {
		return fmt.Errorf("domain %q is a shared platform apex; name the service's own subdomain", d)
	}
	ps, icann := publicsuffix.PublicSuffix(d)
	if ps == d && (icann || !userContent) {
		return fmt.Errorf("domain %q is a public suffix (Public Suffix List); name the service's own domain", d)
	}
	return nil
}

func checkSyntax(d string) error {
	if d == "" || len(d) > maxName || !strings.Contains(d, ".") {
		return fmt.Errorf("domain %q is not a DNS name with at least two labels", d)
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("domain %q: label %q is empty, longer than 63 bytes, or starts or ends with '-'", d, label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("domain %q: only lowercase letters, digits, '-' and '.' are allowed", d)
			}
		}
	}
	return nil
}

// domainIndex is an open-addressing hash table of every suffix of every
// rule name ("chat.openai.com" puts "com", "openai.com" and
// "chat.openai.com" in it). A lookup hashes the name from its last byte
// backwards and probes once per label boundary: the hash of a suffix is
// the hash state at that point, so no substring is hashed twice and
// nothing is copied. A suffix absent from the table ends the walk, because
// no longer name can then match; most names stop after one probe.
type domainIndex struct {
	slots []slot
	nodes []domainNode
	mask  uint64
}

// slot keeps the top of a node's hash beside its index, so a probe that
// meets another key rejects it without touching the node.
type slot struct {
	tag uint32 // high half of the hash
	idx int32  // index into nodes + 1; 0 is empty
}

type domainNode struct {
	key     string // lowercase suffix
	hash    uint64
	subtree *Service // the name and everything below it
	exact   *Service // the name only
	exclude bool     // the name and everything below it never match
}

const hashSeed = 0x6a09e667f3bcc908

func hashStep(h uint64, c byte) uint64 { return bits.RotateLeft64(h, 7) ^ uint64(c) }

func slotOf(h, mask uint64) uint64 { return (h * 0x9e3779b97f4a7c15 >> 17) & mask }

// suffixHash hashes key the way match does: from the last byte backwards.
func suffixHash(key string) uint64 {
	h := uint64(hashSeed)
	for i := len(key) - 1; i >= 0; i-- {
		h = hashStep(h, key[i])
	}
	return h
}

func buildDomainIndex(svcs []*Service) (domainIndex, error) {
	var ix domainIndex
	type rule struct {
		svc  *Service
		name string
		kind string
	}
	var rules []rule
	for _, s := range svcs {
		for _, d := range s.Domains {
			rules = append(rules, rule{s, d, "domain"})
		}
		for _, d := range s.Exact {
			rules = append(rules, rule{s, d, "exact"})
		}
		for _, d := range s.Exclude {
			rules = append(rules, rule{s, d, "exclude"})
		}
	}
	ix.alloc(countSuffixes(rules, func(r rule) string { return r.name }))
	for _, r := range rules {
		if err := checkRuleDomain(r.name, r.svc.Category == "user_content"); err != nil {
			return ix, fmt.Errorf("service %q: %w", r.svc.ID, err)
		}
		if err := ix.add(r.svc, r.name, r.kind); err != nil {
			return ix, err
		}
	}
	return ix, nil
}

// countSuffixes counts the distinct suffixes of the rule names: the nodes
// the table will hold.
func countSuffixes[T any](rules []T, name func(T) string) int {
	seen := map[string]bool{}
	for _, r := range rules {
		d := name(r)
		seen[d] = true
		for i := range len(d) {
			if d[i] == '.' && strings.Contains(d[i+1:], ".") {
				seen[d[i+1:]] = true
			}
		}
	}
	return len(seen)
}

// alloc sizes the table to at most half full, so probes stay short and
// an empty slot always ends them.
func (ix *domainIndex) alloc(keys int) {
	n := 16
	for n < 2*keys {
		n <<= 1
	}
	ix.slots = make([]slot, n)
	ix.mask = uint64(n - 1)
}

func (ix *domainIndex) add(s *Service, d, kind string) error {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] == '.' && strings.Contains(d[i+1:], ".") {
			ix.node(d[i+1:])
		}
	}
	n := ix.node(d)
	var prev *Service
	switch kind {
	case "exact":
		prev, n.exact = n.exact, s
	case "exclude":
		if n.subtree != nil || n.exclude {
			return fmt.Errorf("service %q: exclude %q collides with a rule for the same name", s.ID, d)
		}
		n.exclude = true
	default:
		if n.exclude {
			return fmt.Errorf("service %q: domain %q is excluded by another service", s.ID, d)
		}
		prev, n.subtree = n.subtree, s
	}
	if prev != nil {
		return fmt.Errorf("service %q: %s %q is already claimed by %q", s.ID, kind, d, prev.ID)
	}
	return nil
}

// node finds or inserts the node for key.
func (ix *domainIndex) node(key string) *domainNode {
	h := suffixHash(key)
	for i := slotOf(h, ix.mask); ; i = (i + 1) & ix.mask {
		k := ix.slots[i]
		if k.idx == 0 {
			ix.nodes = append(ix.nodes, domainNode{key: key, hash: h})
			ix.slots[i] = slot{tag: uint32(h >> 32), idx: int32(len(ix.nodes))}
			return &ix.nodes[len(ix.nodes)-1]
		}
		if n := &ix.nodes[k.idx-1]; n.hash == h && n.key == key {
			return n
		}
	}
}

// find looks up a suffix of a name that may carry upper case.
func (ix *domainIndex) find(h uint64, suffix string) *domainNode {
	tag := uint32(h >> 32)
	for i := slotOf(h, ix.mask); ; i = (i + 1) & ix.mask {
		k := ix.slots[i]
		if k.idx == 0 {
			return nil
		}
		if k.tag == tag {
			if n := &ix.nodes[k.idx-1]; n.hash == h && equalLower(suffix, n.key) {
				return n
			}
		}
	}
}

// equalLower reports whether s, folded to lower case, equals the
// lowercase key.
func equalLower(s, key string) bool {
	if len(s) != len(key) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != key[i] {
			return false
		}
	}
	return true
}

func lower(c byte) byte { return lowerTab[c] }

// lowerTab folds ASCII upper case without a branch per byte.
var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// MatchDomain returns the service a DNS name belongs to, or nil. The name
// may carry upper case (DNS 0x20) and a trailing dot. The most specific
// rule wins: an exclusion below a service's domain hides that subtree, a
// rule below an exclusion brings it back. It does not allocate.
func (c *Catalog) MatchDomain(name string) *Service {
	if n := len(name); n > 0 && name[n-1] == '.' {
		name = name[:n-1]
	}
	if len(name) == 0 || len(name) > maxName || len(c.domains.slots) == 0 {
		return nil
	}
	return c.domains.match(name)
}

func (ix *domainIndex) match(name string) *Service {
	var best *Service
	h := uint64(hashSeed)
	dots := 0
	for i := len(name) - 1; i >= 0; i-- {
		c := name[i]
		if c == '.' {
			// A rule has at least two labels, so the first probe is at the
			// second dot from the right: a name whose last two labels are
			// not in the table cannot match.
			if dots++; dots > 1 {
				n := ix.find(h, name[i+1:])
				if n == nil {
					return best
				}
				best = n.below(best)
			}
		}
		h = hashStep(h, lowerTab[c])
	}
	if dots == 0 || name[0] == '.' || name[len(name)-1] == '.' {
		return nil // a single label, or an empty one
	}
	n := ix.find(h, name)
	switch {
	case n == nil:
		return best
	case n.exact != nil:
		return n.exact
	}
	return n.below(best)
}

// below is what a name at or below n matches, given what its parent
// suffixes matched: the most specific rule wins.
func (n *domainNode) below(parent *Service) *Service {
	switch {
	case n.exclude:
		return nil
	case n.subtree != nil:
		return n.subtree
	}
	return parent
}
