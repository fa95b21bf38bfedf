package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func benchRows(n int) []Sighting {
	xs := make([]Sighting, n)
	at := time.Now().Add(-time.Hour)
	svcs := []string{"openai-chatgpt", "anthropic-claude", "github-copilot", "google-gemini", "deepseek"}
	for i := range xs {
		xs[i] = Sighting{FirstSeen: at, LastSeen: at.Add(time.Minute), Count: 3, Source: "tls",
			Domain: "chatgpt.com", Service: svcs[i%len(svcs)], HostID: fmt.Sprintf("host-%04d", i%1000),
			Hostname: "laptop", User: fmt.Sprintf("user%d", i%700), PID: 4242, Exe: "/usr/lib/firefox/firefox",
			Process: "firefox", SrcIP: "10.1.2.3", DstIP: "104.18.32.47", DstPort: 443, CatalogVersion: "2026.11.25"}
	}
	return xs
}

// BenchmarkRawInsert is the ceiling: sightings rows only, 50000 a
// transaction.
func BenchmarkRawInsert(b *testing.B) {
	xs := benchRows(100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RawInsert(filepath.Join(b.TempDir(), "raw.db"), xs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(xs)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkIngest goes through the group-commit writer: idempotency
// records, rollups, usage, users.
func BenchmarkIngest(b *testing.B) {
	xs := benchRows(100000)
	b.ReportAllocs()
	for b.Loop() {
		st, err := Open(filepath.Join(b.TempDir(), "ingest.db"))
		if err != nil {
			b.Fatal(err)
		}
		var ps []*Pending
		for i := 0; i < len(xs); i += 1000 {
			p, err := st.IngestAsync(context.Background(), Batch{AgentID: fmt.Sprintf("agt-%d", i%100), Seq: uint64(i + 1), Sightings: xs[i : i+1000]})
			if err != nil {
				b.Fatal(err)
			}
			ps = append(ps, p)
		}
		for _, p := range ps {
			if _, err := p.Wait(); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
	}
	b.ReportMetric(float64(len(xs)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
