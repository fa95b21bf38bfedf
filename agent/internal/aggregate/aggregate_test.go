package aggregate

import (
	"net/netip"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

func TestCountsAreExact(t *testing.T) {
	svc := &signatures.Service{ID: "openai-chatgpt"}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := New(time.Minute, "host", "laptop", "v1")
	dst := netip.MustParseAddr("192.0.2.1")
	var kept int
	for i := range 250 {
		o := observe.Observation{Time: t0.Add(time.Duration(i) * time.Second), Source: observe.TLS, Domain: "chatgpt.com", Service: svc, DstIP: dst, DstPort: 443}
		if a.Add(&o) {
			kept++
		}
		o2 := observe.Observation{Time: o.Time, Source: observe.DNS, Domain: "example.com"}
		a.Add(&o2) // not AI: never reported
	}
	if kept != 250 {
		t.Fatalf("kept %d, want 250", kept)
	}
	early := a.Flush(t0.Add(2 * time.Minute))
	rest := a.FlushAll()
	var total uint64
	for _, s := range append(early, rest...) {
		total += s.Count
		if s.LastSeen.AsTime().Before(s.FirstSeen.AsTime()) {
			t.Errorf("last before first: %v", s)
		}
	}
	if total != 250 {
		t.Errorf("total count = %d, want 250", total)
	}
	if len(early) != 2 || len(rest) != 3 {
		t.Errorf("got %d flushed early and %d at the end, want 2 and 3 (one per minute)", len(early), len(rest))
	}
}

// TestEndpointFindingsKeepTheirDetails: two extensions of one service in
// one editor stay two sightings, so neither id is lost.
func TestEndpointFindingsKeepTheirDetails(t *testing.T) {
	svc := &signatures.Service{ID: "github-copilot"}
	a := New(time.Minute, "h", "host", "v")
	now := time.Now()
	for _, id := range []string{"GitHub.copilot", "GitHub.copilot-chat", "GitHub.copilot"} {
		a.Add(&observe.Observation{Time: now, Source: observe.Extension, Service: svc, Process: "vscode", User: "alice",
			Attrs: map[string]string{"extension_id": id, "path": "/home/alice/.vscode/extensions/" + id}})
	}
	if got := a.FlushAll(); len(got) != 2 || got[0].Count+got[1].Count != 3 {
		t.Errorf("got %d sightings: %v", len(got), got)
	}
}
