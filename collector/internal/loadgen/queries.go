package loadgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/shadowai/shadowai/collector/internal/config"
	"github.com/shadowai/shadowai/collector/internal/fleetsim"
	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/report"
	"github.com/shadowai/shadowai/collector/internal/store"
	"github.com/shadowai/shadowai/signatures"
)

// FleetDays is how long the simulated fleet of the query benchmark runs:
// eight weeks, so the report's trend has data.
const FleetDays = 56

// BuildFleetDB creates, at path, a database with about sightings
// sightings from hosts hosts over FleetDays days ending yesterday, through
// the store's ingest path. An existing file is reused as it is.
func BuildFleetDB(ctx context.Context, path string, hosts, sightings int, log func(string, ...any)) (*store.Store, error) {
	_, statErr := os.Stat(path)
	st, err := store.Open(path)
	if err != nil || statErr == nil {
		return st, err
	}
	if err := syncCatalog(ctx, st); err != nil {
		return nil, err
	}
	f := fleetsim.New(11, hosts, store.DayOf(time.Now())-FleetDays, FleetDays)
	start := time.Now()
	if err := f.Enroll(ctx, st); err != nil {
		return nil, err
	}
	log("enrolled %d simulated hosts in %.1fs", hosts, time.Since(start).Seconds())
	perHost := calibrate(f, sightings)
	start = time.Now()
	n, err := f.Ingest(ctx, st, perHost)
	if err != nil {
		return nil, err
	}
	log("ingested %d sightings in %.1fs (%.0f/s through the store's group commit)", n, time.Since(start).Seconds(), float64(n)/time.Since(start).Seconds())
	return st, nil
}

// calibrate picks the sightings per host and day that give about want
// sightings in total, from a sample of hosts.
func calibrate(f *fleetsim.Fleet, want int) int {
	sample := min(200, len(f.Hosts))
	n := 0
	for h := 0; h < sample; h++ {
		for d := 0; d < f.Days; d++ {
			f.Day(h, d, 100, func(store.Sighting) { n++ })
		}
	}
	perHundred := float64(n) / float64(sample) * float64(len(f.Hosts))
	return max(1, int(100*float64(want)/perHundred))
}

func syncCatalog(ctx context.Context, st *store.Store) error {
	cat, err := signatures.Embedded()
	if err != nil {
		return err
	}
	var svcs []store.Service
	for _, s := range cat.Services() {
		svcs = append(svcs, store.Service{ID: s.ID, Name: s.Name, Vendor: s.Vendor, Category: s.Category, Risk: s.Risk})
	}
	return st.SyncServices(ctx, svcs)
}

// QueryResult is the latency of one query, repeated.
type QueryResult struct {
	Name     string
	Runs     int
	P50, P99 time.Duration
	Rows     int
}

// Queries times the inventory queries and the weekly report on st.
func Queries(ctx context.Context, st *store.Store, runs int) ([]QueryResult, error) {
	inv := &inventory.Inventory{Store: st, Policy: config.Default().Policy}
	now := time.Now()
	week := report.LastFullWeek(now)
	last7, _ := inventory.ParseSince("7d", now)
	cases := []struct {
		name string
		f    inventory.Filter
	}{
		{"inventory --by service --since 7d", inventory.Filter{Since: last7}},
		{"inventory --by service (all time)", inventory.Filter{}},
		{"inventory --by user --since 7d", inventory.Filter{Since: last7, By: "user"}},
		{"inventory --by host --service openai-chatgpt --since 7d", inventory.Filter{Since: last7, By: "host", Service: "openai-chatgpt"}},
		{"inventory --new --since 7d", inventory.Filter{Since: last7, New: true}},
		{"inventory --new --by user --since 7d", inventory.Filter{Since: last7, New: true, By: "user"}},
		{"inventory --user alice.a0 --since 30d", inventory.Filter{Since: last7.AddDate(0, 0, -23), User: "alice.a0"}},
	}
	var out []QueryResult
	for _, c := range cases {
		r, err := timeIt(c.name, runs, func() (int, error) {
			res, err := inv.Run(ctx, c.f)
			return len(res.Rows), err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	b := &report.Builder{Inv: inv, SilentAfter: time.Hour}
	r, err := timeIt("report weekly --week "+week.String(), max(3, runs/10), func() (int, error) {
		rep, err := b.Build(ctx, week)
		if err != nil {
			return 0, err
		}
		return len(rep.Services), rep.WriteDir(os.TempDir() + "/shadowai-bench-report")
	})
	return append(out, r), err
}

func timeIt(name string, runs int, f func() (int, error)) (QueryResult, error) {
	var ds []time.Duration
	rows := 0
	for i := 0; i < runs; i++ {
		start := time.Now()
		n, err := f()
		if err != nil {
			return QueryResult{}, fmt.Errorf("%s: %w", name, err)
		}
		ds = append(ds, time.Since(start))
		rows = n
	}
	if len(ds) == 0 {
		return QueryResult{}, errors.New("no runs")
	}
	slices.Sort(ds)
	return QueryResult{Name: name, Runs: runs, P50: pct(ds, 0.5), P99: pct(ds, 0.99), Rows: rows}, nil
}
