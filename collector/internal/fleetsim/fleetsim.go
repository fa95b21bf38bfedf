// Package fleetsim simulates a fleet's AI use for tests and benchmarks:
// hosts with users that adopt catalog services over time (popular ones
// early, new ones late), and the sightings their agents would send each
// day. It is deterministic for a seed, so reports built on it can be
// compared with golden files.
package fleetsim

import (
	"fmt"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// Adoption is how a service spreads: the share of hosts that take it up,
// and the part of the simulated period (0 to 1) during which they do.
type Adoption struct {
	Service    string
	Share      float64
	Start, End float64
}

// Adoptions is a plausible mix: chat assistants everywhere, coding tools
// among developers, a few newcomers in the last weeks.
var Adoptions = []Adoption{
	{"openai-chatgpt", 0.70, 0, 0.3}, {"microsoft-copilot", 0.40, 0, 0.5}, {"github-copilot", 0.25, 0, 0.4},
	{"google-gemini", 0.30, 0.1, 0.9}, {"anthropic-claude", 0.30, 0.2, 1}, {"deepl", 0.20, 0, 0.2},
	{"grammarly", 0.15, 0, 0.2}, {"perplexity", 0.15, 0.3, 1}, {"cursor", 0.08, 0.4, 1},
	{"openai-api", 0.05, 0, 0.5}, {"huggingface", 0.05, 0, 1}, {"ollama", 0.04, 0.2, 1},
	{"otter-ai", 0.04, 0.5, 1}, {"midjourney", 0.03, 0, 1}, {"character-ai", 0.02, 0.3, 1},
	{"xai-grok", 0.05, 0.75, 1}, {"deepseek", 0.10, 0.89, 1}, {"manus", 0.03, 0.9, 1},
}

// Host is one simulated endpoint.
type Host struct {
	ID, Name, User, AgentID string
	// adopted[i] is the day offset Adoptions[i] starts on this host, or -1.
	adopted []int
}

// Fleet is a simulated fleet over a number of days.
type Fleet struct {
	Hosts []Host
	First store.Day
	Days  int
	seed  uint64
}

var depts = []string{"fin", "eng", "hr", "ops", "mkt", "sales", "legal", "it"}

var firsts = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "nina", "oscar", "peggy", "rupert", "sybil", "trent", "victor", "wendy", "zoe"}

// New simulates hosts using AI over days days starting at first.
func New(seed uint64, hosts int, first store.Day, days int) *Fleet {
	f := &Fleet{First: first, Days: days, seed: seed}
	for i := 0; i < hosts; i++ {
		h := Host{ID: fmt.Sprintf("host-%05d", i), AgentID: fmt.Sprintf("agt-sim-%05d", i),
			Name: fmt.Sprintf("lt-%s-%04d", depts[i%len(depts)], i),
			User: fmt.Sprintf("%s.%c%d", firsts[i%len(firsts)], 'a'+byte(i/len(firsts)%26), i/(len(firsts)*26))}
		for a, ad := range Adoptions {
			h.adopted = append(h.adopted, f.adoptionDay(i, a, ad))
		}
		f.Hosts = append(f.Hosts, h)
	}
	return f
}

func (f *Fleet) adoptionDay(host, a int, ad Adoption) int {
	if unit(f.seed, uint64(host), uint64(a), 0) >= ad.Share {
		return -1
	}
	start, end := ad.Start*float64(f.Days), ad.End*float64(f.Days)
	return int(start + unit(f.seed, uint64(host), uint64(a), 1)*(end-start))
}

var sources = []string{"dns", "tls", "quic"}

// Day calls emit with the sightings host h's agent sends on day offset d:
// about perHost of them, spread over the services the host uses that day.
func (f *Fleet) Day(h int, d int, perHost int, emit func(store.Sighting)) {
	host := &f.Hosts[h]
	var active []int
	for a, day := range host.adopted {
		if day >= 0 && d >= day && unit(f.seed, uint64(h), uint64(a), uint64(d)+2) < 0.7 {
			active = append(active, a)
		}
	}
	if len(active) == 0 {
		return
	}
	base := (f.First + store.Day(d)).Time().Add(8 * time.Hour)
	per := max(1, perHost/len(active))
	for _, a := range active {
		for k := 0; k < per; k++ {
			r := unit(f.seed, uint64(h), uint64(a), uint64(d)<<20|uint64(k))
			at := base.Add(time.Duration(r * float64(10*time.Hour)))
			emit(store.Sighting{FirstSeen: at, LastSeen: at.Add(40 * time.Second), Count: 1 + uint64(r*7),
				Source: sources[k%len(sources)], Domain: Adoptions[a].Service + ".example", Service: Adoptions[a].Service,
				HostID: host.ID, Hostname: host.Name, User: host.User, DstPort: 443})
		}
	}
}

// unit is a deterministic pseudo-random number in [0, 1) for its inputs
// (splitmix64).
func unit(xs ...uint64) float64 {
	var h uint64 = 0x9e3779b97f4a7c15
	for _, x := range xs {
		h ^= x + 0x9e3779b97f4a7c15 + h<<6 + h>>2
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
	}
	return float64(h>>11) / float64(1<<53)
}
