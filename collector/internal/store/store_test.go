package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// day0 is a Monday, 2026-11-23 00:00 UTC.
var day0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func openTest(t *testing.T) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if err := st.SyncServices(ctx, []Service{
		{ID: "chatgpt", Name: "ChatGPT", Vendor: "OpenAI", Category: "chat_assistant", Risk: 55},
		{ID: "claude", Name: "Claude", Vendor: "Anthropic", Category: "chat_assistant", Risk: 50},
		{ID: "copilot", Name: "GitHub Copilot", Vendor: "GitHub", Category: "coding_assistant", Risk: 45},
	}); err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{"h1", "h2", "h3"} {
		enrollTest(t, st, fmt.Sprintf("agt-%d", i+1), h, "laptop-"+h)
	}
	return st
}

func enrollTest(t *testing.T, st *Store, id, hostID, hostname string) {
	t.Helper()
	var hash [32]byte
	copy(hash[:], id)
	ctx := context.Background()
	if err := st.CreateToken(ctx, hash, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.Enroll(ctx, hash, Agent{ID: id, HostID: hostID, Hostname: hostname, OS: "linux", Version: "1"}); err != nil {
		t.Fatal(err)
	}
}

func sighting(service, user string, at time.Time, count uint64) Sighting {
	return Sighting{FirstSeen: at, LastSeen: at.Add(time.Minute), Count: count, Source: "dns",
		Domain: service + ".example", Service: service, User: user}
}

func ingest(t *testing.T, st *Store, agent, host string, seq uint64, xs ...Sighting) bool {
	t.Helper()
	for i := range xs {
		xs[i].HostID = host
	}
	res, err := st.IngestBatch(context.Background(), Batch{AgentID: agent, Seq: seq, Sightings: xs})
	if err != nil {
		t.Fatal(err)
	}
	return res.Duplicate
}

// fixture: three hosts over two weeks; claude is new in the second week.
func fixture(t *testing.T) *Store {
	st := openTest(t)
	ingest(t, st, "agt-1", "h1", 1, sighting("chatgpt", "alice", day0, 5), sighting("copilot", "alice", day0.Add(time.Hour), 2))
	ingest(t, st, "agt-2", "h2", 1, sighting("chatgpt", "bob", day0.Add(24*time.Hour), 3))
	ingest(t, st, "agt-1", "h1", 2, sighting("claude", "alice", day0.Add(7*24*time.Hour), 4),
		sighting("chatgpt", "alice", day0.Add(8*24*time.Hour), 1))
	ingest(t, st, "agt-3", "h3", 1, sighting("claude", "carol", day0.Add(9*24*time.Hour), 6),
		Sighting{FirstSeen: day0, LastSeen: day0, Count: 9, Source: "dns", Domain: "example.org"})
	return st
}

type brief struct {
	Service, Host, User string
	Hosts, Users, Count uint64
}

func briefs(rows []Row) []brief {
	var out []brief
	for _, r := range rows {
		out = append(out, brief{r.Service, r.Hostname, r.User, r.Hosts, r.Users, r.Count})
	}
	return out
}

func TestQuery(t *testing.T) {
	st := fixture(t)
	week1, week2 := DayOf(day0), DayOf(day0)+7
	tests := []struct {
		name string
		q    Query
		want []brief
	}{
		{"all time by service", Query{}, []brief{
			{"claude", "", "", 2, 2, 10}, {"chatgpt", "", "", 2, 2, 9}, {"copilot", "", "", 1, 1, 2}}},
		{"first week", Query{From: week1, To: week2}, []brief{
			{"chatgpt", "", "", 2, 2, 8}, {"copilot", "", "", 1, 1, 2}}},
		{"new in second week", Query{From: week2, To: week2 + 7, NewOnly: true}, []brief{
			{"claude", "", "", 2, 2, 10}}},
		{"by host", Query{By: "host", Service: "chatgpt"}, []brief{
			{"chatgpt", "laptop-h1", "", 1, 1, 6}, {"chatgpt", "laptop-h2", "", 1, 1, 3}}},
		{"by user, new per user in week 2", Query{By: "user", From: week2, To: week2 + 7, NewOnly: true}, []brief{
			{"claude", "", "carol", 1, 1, 6}, {"claude", "", "alice", 1, 1, 4}}},
		{"vendor any case", Query{Vendor: "openai"}, []brief{{"chatgpt", "", "", 2, 2, 9}}},
		{"category", Query{Category: "coding_assistant"}, []brief{{"copilot", "", "", 1, 1, 2}}},
		{"host by name", Query{Host: "laptop-h3"}, []brief{{"claude", "", "", 1, 1, 6}}},
		{"host by id", Query{Host: "h2"}, []brief{{"chatgpt", "", "", 1, 1, 3}}},
		{"user", Query{User: "bob"}, []brief{{"chatgpt", "", "", 1, 1, 3}}},
		{"exclude", Query{Exclude: []string{"claude", "chatgpt"}}, []brief{{"copilot", "", "", 1, 1, 2}}},
		{"injection is a value", Query{Service: "x' OR 1=1 --"}, nil},
		{"limit", Query{Limit: 1}, []brief{{"claude", "", "", 2, 2, 10}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := st.Query(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, briefs(rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryRejectsUnknownGrouping(t *testing.T) {
	st := openTest(t)
	if _, err := st.Query(context.Background(), Query{By: "vendor"}); err == nil {
		t.Fatal("grouping by vendor: want an error")
	}
}

func TestIngestIdempotentUnderConcurrency(t *testing.T) {
	st := openTest(t)
	var wg sync.WaitGroup
	dups := make(chan bool, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(seq uint64) {
			defer wg.Done()
			b := Batch{AgentID: "agt-1", Seq: seq, Sightings: []Sighting{sighting("chatgpt", "alice", day0, 1)}}
			b.Sightings[0].HostID = "h1"
			res, err := st.IngestBatch(context.Background(), b)
			if err != nil {
				t.Error(err)
			}
			dups <- res.Duplicate
		}(uint64(i%100 + 1))
	}
	wg.Wait()
	close(dups)
	n := 0
	for d := range dups {
		if d {
			n++
		}
	}
	if n != 100 {
		t.Errorf("%d duplicates acknowledged, want 100", n)
	}
	rows, _ := st.Inventory(context.Background())
	if len(rows) != 1 || rows[0].Count != 100 {
		t.Errorf("inventory %+v, want chatgpt counted 100 times", rows)
	}
	if got := st.WriterStats().Sightings.Load(); got != 100 {
		t.Errorf("writer counted %d sightings, want 100", got)
	}
}

func TestFailedBatchLeavesOthers(t *testing.T) {
	st := openTest(t)
	ingest(t, st, "agt-1", "h1", 1, sighting("chatgpt", "alice", day0, 1))
	// A batch from an agent that does not exist still commits (agents are
	// checked at the stream), so provoke a failure with a closed store.
	st.Close()
	if _, err := st.IngestBatch(context.Background(), Batch{AgentID: "agt-1", Seq: 2}); err != ErrClosed {
		t.Errorf("ingest after close: %v, want ErrClosed", err)
	}
}

func TestPolicy(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.SetPolicy(ctx, "chatgpt", "banned"); err == nil {
		t.Error("policy banned: want an error")
	}
	for _, p := range []string{Unsanctioned, Sanctioned} {
		if err := st.SetPolicy(ctx, "chatgpt", p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Policies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"chatgpt": Sanctioned}, got); diff != "" {
		t.Error(diff)
	}
}

func TestPruneAndBackup(t *testing.T) {
	st := fixture(t)
	ctx := context.Background()
	// Raw sightings go by the day they were received (today): a cutoff of
	// yesterday keeps them, one of tomorrow drops all seven.
	p, err := st.Prune(ctx, time.Now().Add(-24*time.Hour), day0.Add(8*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.Sightings != 0 || p.Rollups != 4 {
		t.Errorf("pruned %+v, want no raw sightings and 4 rollups", p)
	}
	if p, err = st.Prune(ctx, time.Now().Add(24*time.Hour), day0); err != nil || p.Sightings != 7 {
		t.Errorf("second prune: %+v, %v; want 7 raw sightings", p, err)
	}
	ingest(t, st, "agt-2", "h2", 9, sighting("chatgpt", "bob", day0.Add(9*24*time.Hour), 1))
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := st.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want, _ := st.Inventory(ctx)
	got, _ := b.Inventory(ctx)
	if diff := cmp.Diff(briefs(want), briefs(got)); diff != "" {
		t.Errorf("backup differs (-live +backup):\n%s", diff)
	}
}

func TestEndpoints(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	enrollTest(t, st, "agt-9", "h1", "laptop-h1-new")
	if err := st.RecordHeartbeat(ctx, "agt-2", "", "", "", `{}`, time.Now()); err != nil {
		t.Fatal(err)
	}
	eps, err := st.Endpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range eps {
		names = append(names, e.Hostname)
	}
	if diff := cmp.Diff([]string{"laptop-h2", "laptop-h1-new", "laptop-h3"}, names); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
}

func TestDayOf(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want Day
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(-1, 0), -1},
		{day0.Add(23 * time.Hour), DayOf(day0)},
	} {
		if got := DayOf(tc.t); got != tc.want {
			t.Errorf("DayOf(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
	if !DayOf(day0).Time().Equal(day0) {
		t.Errorf("Day.Time round trip: %v", DayOf(day0).Time())
	}
}

// TestNoUser: sightings without a user (DNS seen below the socket layer)
// are counted for hosts and leave the user count at zero.
func TestNoUser(t *testing.T) {
	st := openTest(t)
	ingest(t, st, "agt-1", "h1", 1, sighting("chatgpt", "", day0, 2))
	for _, q := range []Query{{}, {From: DayOf(day0), To: DayOf(day0) + 1}, {By: "user"}} {
		rows, err := st.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Hosts != 1 || rows[0].Users != 0 || rows[0].Count != 2 {
			t.Errorf("%+v: rows %+v", q, rows)
		}
	}
}
