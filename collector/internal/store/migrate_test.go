package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// v2Database writes a database at schema version 2 (rollups in pairs)
// with the rows given, as a collector before the day blocks left it.
func v2Database(t *testing.T, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stmts []string
	for _, name := range []string{"migrations/0001_init.sql", "migrations/0002_inventory.sql"} {
		body, err := migrations.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(body))
	}
	for _, q := range append(append(stmts, rows...), "PRAGMA user_version = 2") {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	return path
}

// TestMigrateToDayBlocks opens a version 2 database: the pairs become day
// blocks that answer the same queries, and host numbers carry on.
func TestMigrateToDayBlocks(t *testing.T) {
	d := int64(DayOf(day0))
	at := day0.UnixNano()
	path := v2Database(t,
		`INSERT INTO hosts(n, host_id) VALUES (1, 'h1'), (300, 'h300')`,
		`INSERT INTO users(n, name, first_seen, last_seen) VALUES (1, 'alice', 0, 0), (2, 'bob', 0, 0)`,
		`INSERT INTO agents(id, host_id, hostname, os, agent_version, cert_serial, cert_not_after, enrolled_at)
			VALUES ('agt-1', 'h300', 'laptop-300', 'linux', '1', '1', 0, 0)`,
		fmt.Sprintf(`INSERT INTO pairs(day, service, host_id, user, count, first_seen, last_seen) VALUES
			(%[1]d, 'chatgpt', 'h1', 'alice', 5, %[3]d + 10, %[3]d + 20), (%[1]d, 'chatgpt', 'h300', 'alice', 2, %[3]d - 5, %[3]d + 30),
			(%[2]d, 'chatgpt', 'h300', '', 7, %[3]d + 100, %[3]d + 200), (%[2]d, 'claude', 'h1', 'bob', 1, %[3]d + 1, %[3]d + 2)`, d, d+1, at),
	)
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	rows, err := st.Query(ctx, Query{By: "user"})
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Service, User       string
		Hosts, Count        uint64
		FirstSeen, LastSeen time.Time
	}
	var got []line
	for _, r := range rows {
		got = append(got, line{r.Service, r.User, r.Hosts, r.Count, r.FirstSeen, r.LastSeen})
	}
	t0 := func(ns int64) time.Time { return time.Unix(0, at+ns).UTC() }
	want := []line{
		{"chatgpt", "", 1, 7, t0(100), t0(200)}, {"chatgpt", "alice", 2, 7, t0(-5), t0(30)}, {"claude", "bob", 1, 1, t0(1), t0(2)},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("by user after migration (-want +got):\n%s", diff)
	}
	hosts, err := st.Query(ctx, Query{By: "host", Service: "chatgpt"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff([]brief{{"chatgpt", "laptop-300", "", 1, 1, 9}, {"chatgpt", "h1", "", 1, 1, 5}}, briefs(hosts)); diff != "" {
		t.Errorf("by host after migration (-want +got):\n%s", diff)
	}
	ingest(t, st, "agt-1", "h-new", 1, sighting("chatgpt", "carol", day0, 1))
	var n int64
	if err := st.r.QueryRow("SELECT n FROM hosts WHERE host_id = 'h-new'").Scan(&n); err != nil || n != 301 {
		t.Errorf("new host numbered %d (%v), want 301: numbering carries on after the migration", n, err)
	}
}

// TestMigrationAppliedMeanwhile: when two processes open an old database
// together (serve and a CLI command after an upgrade), the second gets
// the write lock after the first applied a step; it must see that inside
// its transaction and skip the step, not fail on tables that now exist.
func TestMigrationAppliedMeanwhile(t *testing.T) {
	s := openTest(t)
	body, err := migrations.ReadFile("migrations/0003_day_blocks.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.apply(context.Background(), 3, string(body)); err != nil {
		t.Fatalf("applying a step another process already applied: %v", err)
	}
}
