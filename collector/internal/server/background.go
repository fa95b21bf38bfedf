package server

import (
	"context"
	"sync"
	"time"

	"github.com/shadowai/shadowai/collector/internal/metrics"
	"github.com/shadowai/shadowai/collector/internal/store"
)

// retentionEvery is how often old data is pruned.
const retentionEvery = time.Hour

// runBackground applies retention hourly and writes the weekly report on
// its schedule; it returns once both have stopped after ctx ended.
func runBackground(ctx context.Context, env *Env, cfg Config) {
	var wg sync.WaitGroup
	wg.Go(func() { runReports(ctx, env, cfg) })
	wg.Go(func() { runRetention(ctx, env, cfg) })
	wg.Wait()
}

func runRetention(ctx context.Context, env *Env, cfg Config) {
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		prune(ctx, env, cfg)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func prune(ctx context.Context, env *Env, cfg Config) {
	now := time.Now()
	r := env.Config.Retention
	p, err := env.Store.Prune(ctx, now.AddDate(0, 0, -r.RawDays), now.AddDate(0, 0, -r.RollupDays))
	if err != nil {
		cfg.Log.Error("retention failed", "err", err)
		return
	}
	if p != (store.Pruned{}) {
		cfg.Log.Info("retention applied", "sightings", p.Sightings, "rollups", p.Rollups, "day_blocks", p.Blocks, "usage", p.Usage,
			"batches", p.Batches, "hosts", p.Hosts, "users", p.Users)
	}
}

// newRegistry registers the store's metrics; ingest adds its own.
func newRegistry(env *Env) *metrics.Registry {
	reg := &metrics.Registry{}
	ws := env.Store.WriterStats()
	reg.CounterFunc("shadowai_ingest_sightings_total", "Sightings committed.", func() float64 { return float64(ws.Sightings.Load()) })
	reg.CounterFunc("shadowai_ingest_batches_total", "Batches committed.", func() float64 { return float64(ws.Batches.Load()) })
	reg.CounterFunc("shadowai_ingest_heartbeats_total", "Heartbeats committed (in the same group commits as batches).", func() float64 { return float64(ws.Heartbeats.Load()) })
	reg.CounterFunc("shadowai_ingest_duplicate_batches_total", "Batches received again and acknowledged without storing.", func() float64 { return float64(ws.Duplicates.Load()) })
	reg.CounterFunc("shadowai_ingest_failed_batches_total", "Batches that could not be committed.", func() float64 { return float64(ws.Failed.Load()) })
	reg.CounterFunc("shadowai_store_commits_total", "Group-commit transactions.", func() float64 { return float64(ws.Commits.Load()) })
	reg.CounterFunc("shadowai_store_commit_seconds_total", "Time spent in group commits.", func() float64 { return time.Duration(ws.CommitNanos.Load()).Seconds() })
	reg.GaugeFunc("shadowai_store_queued_batches", "Batches and heartbeats waiting for the writer.", func() float64 { return float64(ws.QueuedNow.Load()) })
	reg.GaugeFunc("shadowai_store_database_bytes", "Size of the SQLite database.", func() float64 {
		n, _ := env.Store.Size(context.Background())
		return float64(n)
	})
	return reg
}
