package server

import (
	"context"
	"path/filepath"
	"time"

	"github.com/shadowai/shadowai/collector/internal/config"
	"github.com/shadowai/shadowai/collector/internal/report"
)

// ReportsDir is where serve writes the scheduled weekly reports, one
// directory per ISO week.
const ReportsDir = "reports"

// runReports writes (and delivers) the weekly report of the last full week
// at each scheduled time until ctx ends.
func runReports(ctx context.Context, env *Env, cfg Config) {
	sched, _ := config.ParseSchedule(env.Config.Report.Schedule)
	loc, _ := env.Config.Report.Location()
	if sched.Off {
		cfg.Log.Info("weekly report schedule is off")
		return
	}
	for {
		next := sched.Next(time.Now(), loc)
		cfg.Log.Info("next weekly report", "at", next.Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		WeeklyReport(ctx, env, cfg, report.LastFullWeek(time.Now()), true)
	}
}

// WeeklyReport builds the report of week w into the data directory and,
// with deliver, sends it; failures are logged, never fatal to serving.
func WeeklyReport(ctx context.Context, env *Env, cfg Config, w report.Week, deliver bool) {
	b := &report.Builder{Inv: env.Inventory(), SilentAfter: env.Config.Endpoints.SilentAfter.Duration}
	r, err := b.Build(ctx, w)
	if err != nil {
		cfg.Log.Error("weekly report failed", "week", w.String(), "err", err)
		return
	}
	dir := filepath.Join(cfg.DataDir, ReportsDir, w.String())
	if err := r.WriteDir(dir); err != nil {
		cfg.Log.Error("weekly report not written", "week", w.String(), "err", err)
		return
	}
	cfg.Log.Info("weekly report written", "week", w.String(), "dir", dir)
	if !deliver {
		return
	}
	if err := r.Deliver(ctx, env.Config.Report); err != nil {
		cfg.Log.Error("weekly report not delivered", "week", w.String(), "err", err)
		return
	}
	cfg.Log.Info("weekly report delivered", "week", w.String())
}
