package loadgen

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Main runs the collector benchmarks and prints their figures; it returns
// the exit code.
func Main(args []string, out io.Writer) int {
	fs := flag.NewFlagSet("shadowai-collector-bench", flag.ContinueOnError)
	bin := fs.String("collector", "bin/shadowai-collector", "collector binary to start")
	work := fs.String("dir", "bin/bench", "working directory (the fleet database is kept here between runs)")
	streams := fs.String("streams", "1,100,1000", "concurrent agent streams to measure, comma-separated")
	total := fs.Int("sightings", 1000000, "sightings sent per stream count")
	hosts := fs.Int("hosts", 10000, "hosts in the query benchmark's fleet")
	fleet := fs.Int("fleet-sightings", 10000000, "sightings in the query benchmark's fleet")
	runs := fs.Int("runs", 30, "repetitions of each query")
	skip := fs.String("skip", "", "skip parts: ingest, queries")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	logf := func(f string, a ...any) { fmt.Fprintf(out, "# "+f+"\n", a...) }
	logf("load average before: %s (2 cores shared with other work: figures vary with it)", loadavg())
	ctx := context.Background()
	if !strings.Contains(*skip, "ingest") {
		if err := ingestBench(ctx, out, logf, *bin, *work, *streams, *total); err != nil {
			fmt.Fprintln(os.Stderr, "bench-collector:", err)
			return 1
		}
	}
	if !strings.Contains(*skip, "queries") {
		if err := queryBench(ctx, out, logf, *work, *hosts, *fleet, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "bench-collector:", err)
			return 1
		}
	}
	return 0
}

// shape is the batch size and window per stream for a stream count: real
// agents send up to 1000 sightings a batch with 8 in flight; a thousand
// streams keep fewer in flight so the benchmark fits in memory.
func shape(streams int) (batch, window int) {
	switch {
	case streams >= 1000:
		return 250, 2
	case streams >= 100:
		return 1000, 2
	}
	return 1000, 8
}

func ingestBench(ctx context.Context, out io.Writer, logf func(string, ...any), bin, work, list string, total int) error {
	pool := Sightings(200000)
	var results []IngestResult
	var shapes [][2]int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-streams %q: want numbers like 1,100,1000", list)
		}
		batch, window := shape(n)
		r, err := ingestOnce(ctx, logf, bin, work, pool, n, batch, window, max(1, total/n/batch))
		if err != nil {
			return err
		}
		results, shapes = append(results, r), append(shapes, [2]int{batch, window})
	}
	ceiling, rows, err := rawCeiling(work, pool, total)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ningest: simulated agents over gRPC with mutual TLS into a real shadowai-collector (WAL, synchronous=FULL, ack after commit)\n")
	fmt.Fprintf(out, "%-8s %-6s %-7s %-10s %-8s %-12s %-9s %-9s %s\n", "streams", "batch", "window", "sightings", "seconds", "sightings/s", "p50_ack", "p99_ack", "ratio_to_raw")
	for i, r := range results {
		fmt.Fprintf(out, "%-8d %-6d %-7d %-10d %-8.2f %-12.0f %-9s %-9s %.2f\n", r.Streams, shapes[i][0], shapes[i][1], r.Sightings,
			r.Elapsed.Seconds(), r.Rate(), ms(r.P50), ms(r.P99), r.Rate()/ceiling)
	}
	fmt.Fprintf(out, "raw batched SQLite inserts, same rows and schema, %d per transaction, no gRPC/TLS/validation/rollups: %d rows, %.0f rows/s\n",
		50000, rows, ceiling)
	fmt.Fprintf(out, "acks wait behind every batch in flight (streams x window x batch sightings): p99 is queueing at saturation, not idle latency\n# load average after: %s\n", loadavg())
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func ingestOnce(ctx context.Context, logf func(string, ...any), bin, work string, pool []*pb.Sighting, streams, batch, window, perStream int) (IngestResult, error) {
	dir, err := os.MkdirTemp(work, "ingest-")
	if err != nil {
		return IngestResult{}, err
	}
	defer os.RemoveAll(dir)
	c, err := StartCollector(bin, dir)
	if err != nil {
		return IngestResult{}, err
	}
	defer c.Stop()
	agents, err := EnrollAgents(ctx, c, streams)
	if err != nil {
		return IngestResult{}, err
	}
	logf("%d streams: enrolled %d agents, sending %d batches of %d each", streams, len(agents), perStream, batch)
	r, err := Ingest(ctx, c.Addr, agents, pool, batch, window, perStream)
	if err != nil {
		return r, err
	}
	return r, c.Stop()
}

func rawCeiling(work string, pool []*pb.Sighting, total int) (float64, int, error) {
	xs := make([]store.Sighting, 0, total)
	for len(xs) < total {
		for _, p := range pool[:min(len(pool), total-len(xs))] {
			xs = append(xs, store.Sighting{FirstSeen: p.GetFirstSeen().AsTime(), LastSeen: p.GetLastSeen().AsTime(), Count: p.GetCount(),
				Source: p.GetSource(), Domain: p.GetDomain(), Service: p.GetService(), HostID: "bench-host-00000", Hostname: "bench-00000",
				User: p.GetUser(), PID: p.GetProcess().GetPid(), Exe: p.GetProcess().GetExe(), Process: p.GetProcess().GetName(),
				SrcIP: p.GetSrcIp(), DstIP: p.GetDstIp(), DstPort: p.GetDstPort(), CatalogVersion: p.GetCatalogVersion()})
		}
	}
	dir, err := os.MkdirTemp(work, "raw-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	d, err := store.RawInsert(filepath.Join(dir, "raw.db"), xs)
	if err != nil {
		return 0, 0, err
	}
	return float64(len(xs)) / d.Seconds(), len(xs), nil
}

func queryBench(ctx context.Context, out io.Writer, logf func(string, ...any), work string, hosts, sightings, runs int) error {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	// The schema version is in the name: a database built by an older
	// collector is rebuilt, not migrated, so the figures are of the
	// current layout as ingest writes it.
	path := filepath.Join(work, fmt.Sprintf("fleet-%dhosts-%dsightings-v%d.db", hosts, sightings, store.SchemaVersion()))
	st, err := BuildFleetDB(ctx, path, hosts, sightings, logf)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := Queries(ctx, st, runs)
	if err != nil {
		return err
	}
	size, _ := st.Size(ctx)
	fmt.Fprintf(out, "\nqueries on %s (%d hosts, ~%d sightings over %d days, %.0f MB)\n", filepath.Base(path), hosts, sightings, FleetDays, float64(size)/1e6)
	fmt.Fprintf(out, "%-55s %-5s %-9s %-9s %s\n", "query", "runs", "p50", "p99", "rows")
	for _, r := range res {
		fmt.Fprintf(out, "%-55s %-5d %-9s %-9s %d\n", r.Name, r.Runs, ms(r.P50), ms(r.P99), r.Rows)
	}
	logf("load average after: %s", loadavg())
	return nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
