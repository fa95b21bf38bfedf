package report

import (
	"strings"
	"testing"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// TestRiskSentenceNamesNotSanctioned: the sentence counting the services
// nobody sanctioned names the riskiest of those, even when a sanctioned
// service used on many hosts ranks above it.
func TestRiskSentenceNamesNotSanctioned(t *testing.T) {
	r := &Report{Services: []Service{
		{ID: "openai-chatgpt", Name: "ChatGPT", Policy: store.Sanctioned, Risk: 45, Hosts: 500},
		{ID: "deepseek", Name: "DeepSeek", Policy: store.Unsanctioned, Risk: 85, Hosts: 3},
		{ID: "claude", Name: "Claude", Policy: store.UnderReview, Risk: 35, Hosts: 2},
	}}
	r.Totals.Services, r.Totals.NotSanctioned = 3, 2
	r.rank()
	got := r.riskSentence(func(s string) string { return s })
	if !strings.Contains(got, "the highest risk is DeepSeek (unsanctioned, risk 85, 3 hosts)") {
		t.Errorf("risk sentence %q, want it to name DeepSeek", got)
	}
}
