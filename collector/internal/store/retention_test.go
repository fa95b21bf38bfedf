package store

import (
	"context"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestPruneNumbering: hosts and users that nothing retained mentions any
// more lose their numbers, and numbers are never handed out again.
func TestPruneNumbering(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	ingest(t, st, "agt-1", "h1", 1, sighting("chatgpt", "alice", day0.Add(10*24*time.Hour), 1))
	ingest(t, st, "agt-2", "h2", 1, sighting("chatgpt", "bob", day0, 2), sighting("claude", "alice", day0, 1))
	// The cutoff's own day is kept, as its rollups are: h3 was last seen
	// on it, an hour after midnight.
	ingest(t, st, "agt-3", "h3", 1, sighting("copilot", "carol", day0.Add(5*24*time.Hour+time.Hour), 1))
	p, err := st.Prune(ctx, time.Now().Add(-24*time.Hour), day0.Add(5*24*time.Hour+2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.Hosts != 1 || p.Users != 1 || p.Blocks != 2 || p.Usage != 2 {
		t.Errorf("pruned %+v, want h2 and bob, their 2 day blocks and usage rows", p)
	}
	if got := st.numbered(t, "SELECT host_id FROM hosts ORDER BY n"); !gocmp.Equal(got, []string{"h1", "h3"}) {
		t.Errorf("hosts %v, want h1 h3", got)
	}
	if got := st.numbered(t, "SELECT name FROM users ORDER BY n"); !gocmp.Equal(got, []string{"alice", "carol"}) {
		t.Errorf("users %v, want alice carol", got)
	}
	ingest(t, st, "agt-2", "h2", 2, sighting("chatgpt", "bob", day0.Add(11*24*time.Hour), 1))
	var host, user int64
	if err := st.r.QueryRowContext(ctx, "SELECT (SELECT n FROM hosts WHERE host_id = 'h2'), (SELECT n FROM users WHERE name = 'bob')").Scan(&host, &user); err != nil {
		t.Fatal(err)
	}
	if host != 4 || user != 4 {
		t.Errorf("h2 came back as host %d and bob as user %d, want 4 and 4: numbers are never reused", host, user)
	}
	rows, err := st.Query(ctx, Query{By: "host"})
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{"chatgpt", "laptop-h1", "", 1, 1, 1}, {"chatgpt", "laptop-h2", "", 1, 1, 1}, {"copilot", "laptop-h3", "", 1, 1, 1}}
	if diff := gocmp.Diff(want, briefs(rows)); diff != "" {
		t.Errorf("by host after pruning (-want +got):\n%s", diff)
	}
}

func (s *Store) numbered(t *testing.T, query string) []string {
	t.Helper()
	rows, err := s.r.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}
