package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestHostnamesCache: large listings read hostnames from a copy that a
// rename or a new enrollment makes stale.
func TestHostnamesCache(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	ids := []string{"h1", "h2", "h3", "unknown"}
	for len(ids) < hostnamesCachedFrom {
		ids = append(ids, fmt.Sprintf("filler-%d", len(ids)))
	}
	check := func(want map[string]string) {
		t.Helper()
		got, err := st.hostnames(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for id, name := range want {
			if got[id] != name {
				t.Errorf("hostname of %s: %q, want %q", id, got[id], name)
			}
		}
	}
	check(map[string]string{"h1": "laptop-h1", "h2": "laptop-h2", "unknown": "unknown"})
	if err := st.RecordHeartbeat(ctx, "agt-1", "renamed-h1", "", "", "{}", time.Now()); err != nil {
		t.Fatal(err)
	}
	enrollTest(t, st, "agt-9", "h2", "laptop-h2-new")
	check(map[string]string{"h1": "renamed-h1", "h2": "laptop-h2-new", "h3": "laptop-h3"})
}
