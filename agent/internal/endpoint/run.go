package endpoint

import (
	"context"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

// Run runs the process sensor every ProcessInterval (and on new-process
// events where the OS offers them) and the inventory at start and every
// InventoryInterval, passing every observation to emit, until ctx ends.
// emit must be safe for concurrent use.
func (s *Sensors) Run(ctx context.Context, emit func(*observe.Observation)) {
	execs := make(chan struct{})
	go func() {
		defer close(execs)
		s.watchExecs(ctx, emit)
	}()
	defer func() { <-execs }() // no emit after Run returns
	procs := time.NewTicker(s.opts.ProcessInterval)
	defer procs.Stop()
	inv := time.NewTicker(s.opts.InventoryInterval)
	defer inv.Stop()
	s.runProcesses(emit)
	s.runInventory(emit)
	for {
		select {
		case <-procs.C:
			s.runProcesses(emit)
		case <-inv.C:
			s.runInventory(emit)
		case <-ctx.Done():
			return
		}
	}
}

func (s *Sensors) runProcesses(emit func(*observe.Observation)) {
	start := time.Now()
	obs, st, err := s.Processes(start)
	for i := range obs {
		emit(&obs[i])
	}
	if err != nil {
		s.opts.Log.Error("process sensor", "err", err)
	}
	s.opts.Log.Debug("process scan", "processes", st.Procs.Processes, "matched", len(obs),
		"vanished", st.Procs.Vanished, "unreadable", st.Procs.Unreadable, "truncated", st.Procs.Truncated,
		"bad_encoding", st.Procs.BadEncoding, "listeners_confirmed", st.Listeners.Confirmed,
		"listeners_unconfirmed", st.Listeners.Unconfirmed, "seconds", time.Since(start).Seconds())
}

func (s *Sensors) runInventory(emit func(*observe.Observation)) {
	start := time.Now()
	obs, st, err := s.Inventory(start)
	for i := range obs {
		emit(&obs[i])
	}
	if err != nil {
		s.opts.Log.Error("inventory", "err", err)
		return
	}
	s.opts.Log.Info("inventory", "homes", st.Extensions.Homes, "ide_extensions", st.Extensions.IDE,
		"browser_extensions", st.Extensions.Browser, "model_stores", st.Stores.Stores, "ai", len(obs),
		"damaged", st.Extensions.Damaged, "unreadable", st.Extensions.Unreadable+st.Stores.Unreadable,
		"seconds", time.Since(start).Seconds())
}
