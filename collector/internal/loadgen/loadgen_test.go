package loadgen

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowai/shadowai/collector/internal/server"
)

// startInProcess runs the collector in this process so a CPU profile sees
// both sides.
func startInProcess(t testing.TB) (*Collector, func()) {
	dir := t.TempDir()
	data := filepath.Join(dir, "collector")
	os.MkdirAll(data, 0o700)
	os.WriteFile(filepath.Join(data, "collector.yaml"), []byte(benchConfig), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{DataDir: data, Listen: "127.0.0.1:0", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(data, "collector.addr")); err == nil {
			return &Collector{Data: data, Addr: strings.TrimSpace(string(b))}, func() { cancel(); <-done }
		}
	}
	cancel()
	t.Fatal("collector did not start")
	return nil, nil
}

func BenchmarkIngestGRPC(b *testing.B) {
	c, stop := startInProcess(b)
	defer stop()
	agents, err := EnrollAgents(context.Background(), c, 4)
	if err != nil {
		b.Fatal(err)
	}
	pool := Sightings(50000)
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for i := 0; b.Loop(); i++ {
		// A fresh sequence range per iteration: agents never reuse one.
		r, err := ingestFrom(context.Background(), c.Addr, agents, pool, 1000, 4, 25, uint64(i*25))
		if err != nil {
			b.Fatal(err)
		}
		total += r.Sightings
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "sightings/s")
}
