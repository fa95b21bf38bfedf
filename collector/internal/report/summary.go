package report

import (
	"fmt"
	"strings"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// Highlights are the sentences a reader sees first: what changed, what
// nobody sanctioned, and what the report cannot see.
// esc escapes the names inside them for the rendering at hand.
func (r *Report) Highlights(esc func(string) string) []string {
	var out []string
	out = append(out, r.newSentence(esc))
	out = append(out, fmt.Sprintf("%s used AI services this week (%s the week before).",
		capital(plural(r.Totals.Hosts, "host")), signed(r.Totals.HostsDelta)))
	if s := r.riskSentence(esc); s != "" {
		out = append(out, s)
	}
	return append(out, r.coverageSentence())
}

func (r *Report) newSentence(esc func(string) string) string {
	if len(r.New) == 0 {
		return "No new AI tools appeared this week."
	}
	var names []string
	for _, s := range r.New[:min(5, len(r.New))] {
		names = append(names, fmt.Sprintf("%s (%s, %s)", esc(s.Name), plural(s.Hosts, "host"), policyLabel(s.Policy)))
	}
	more := ""
	if len(r.New) > 5 {
		more = fmt.Sprintf(" and %d more", len(r.New)-5)
	}
	return fmt.Sprintf("%s appeared for the first time: %s%s.", capital(plural(uint64(len(r.New)), "new AI tool")), strings.Join(names, ", "), more)
}

func (r *Report) riskSentence(esc func(string) string) string {
	if r.Totals.NotSanctioned == 0 {
		return "Every AI service in use is sanctioned."
	}
	top := r.riskiestNotSanctioned()
	return fmt.Sprintf("%d of %d services in use are not sanctioned; the highest risk is %s (%s, risk %d, %s).",
		r.Totals.NotSanctioned, r.Totals.Services, esc(top.Name), policyLabel(top.Policy), top.Risk, plural(top.Hosts, "host"))
}

// riskiestNotSanctioned is the service nobody sanctioned with the highest
// score: the ranking's first entry may be a sanctioned one used widely.
func (r *Report) riskiestNotSanctioned() Service {
	var top Service
	for _, s := range r.Services {
		if s.Policy != store.Sanctioned && (top.ID == "" || s.Score > top.Score) {
			top = s
		}
	}
	return top
}

func (r *Report) coverageSentence() string {
	c := r.Coverage
	if c.Endpoints == 0 {
		return "No endpoints are enrolled: this report has nothing to go on."
	}
	s := fmt.Sprintf("%s enrolled", capital(plural(uint64(c.Endpoints), "endpoint")))
	if c.Silent == 0 && c.Degraded == 0 {
		return s + "; all of them reporting."
	}
	return fmt.Sprintf("%s; %d silent and %d degraded — what they did is missing or incomplete here.", s, c.Silent, c.Degraded)
}

// signed is the change against the week before, as the sentence reads it.
func signed(n int64) string {
	if n == 0 {
		return "unchanged from"
	}
	return signedNum(n) + " vs"
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// policyLabel is how a policy reads in prose and tables.
func policyLabel(p string) string {
	switch p {
	case store.UnderReview:
		return "under review"
	case "":
		return "—"
	}
	return p
}
