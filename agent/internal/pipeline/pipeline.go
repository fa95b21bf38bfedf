// Package pipeline wires the agent's stages together: sensors produce
// observations, the aggregator merges them into sightings, the spool keeps
// them on disk, and the uplink streams them to the collector.
package pipeline

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowai/shadowai/agent/internal/aggregate"
	"github.com/shadowai/shadowai/agent/internal/catalogsync"
	"github.com/shadowai/shadowai/agent/internal/config"
	"github.com/shadowai/shadowai/agent/internal/endpoint"
	"github.com/shadowai/shadowai/agent/internal/identity"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/spool"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

// Options configure a run.
type Options struct {
	// Config is the agent configuration (config.Defaults() when unset).
	Config       config.Config
	AgentVersion string
	Log          *slog.Logger
	// Endpoint configures the process, listener, extension and model
	// store sensors and flow attribution (privacy options included); the
	// process interval comes from sensors.process.interval.
	Endpoint endpoint.Options
}

// agent is the state one run shares between its stages.
type agent struct {
	opts    Options
	cfg     config.Config
	state   *identity.State
	catalog *signatures.Live
	spool   *spool.Spool
	// endpoint is the host's endpoint sensors; they also attribute network
	// observations to the process and user that made them.
	endpoint *endpoint.Sensors
	started  time.Time

	mu    sync.Mutex // guards agg, dirty, unspooled
	agg   *aggregate.Aggregator
	dirty bool // observations since the last checkpoint
	// unspooled are closed windows a failed checkpoint did not record:
	// the next checkpoint spools them.
	unspooled []*pb.Sighting

	observations, aiObservations atomic.Uint64

	sync *catalogsync.Syncer // used by the heartbeat loop only
}

func open(o Options) (*agent, error) {
	if o.Config.StateDir == "" {
		o.Config = config.Defaults()
	}
	cfg := o.Config
	st, err := identity.Load(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	cat, err := catalogsync.Load(cfg.StateDir, o.Log)
	if err != nil {
		return nil, err
	}
	sp, err := spool.Open(filepath.Join(cfg.StateDir, "spool"), int64(cfg.Spool.MaxBytes))
	if err != nil {
		return nil, err
	}
	for _, p := range sp.Problems() {
		o.Log.Error("spool", "problem", p)
	}
	if err := spoolLeftOpen(sp, cfg.Aggregate.BatchSize, o.Log); err != nil {
		sp.Close()
		return nil, err
	}
	hostname, _ := os.Hostname()
	if o.Endpoint.Log == nil {
		o.Endpoint.Log = o.Log
	}
	if o.Endpoint.ProcessInterval == 0 {
		o.Endpoint.ProcessInterval = cfg.Sensors["process"].Interval
	}
	return &agent{
		opts: o, cfg: cfg, state: st, catalog: cat, spool: sp, started: time.Now(),
		endpoint: endpoint.New(cat, o.Endpoint),
		agg:      aggregate.New(cfg.Aggregate.Window, st.Enrollment.HostID, hostname, cat.Version()),
	}, nil
}

// observe merges one observation; safe for concurrent sensors. Only what
// goes to the collector is attributed: a miss can cost a socket query
// and a walk of the process table, and most lookups are not AI.
func (a *agent) observe(o *observe.Observation) bool {
	if aggregate.Reportable(o) {
		a.endpoint.Attribute(o)
	}
	a.mu.Lock()
	kept := a.agg.Add(o)
	a.dirty = a.dirty || kept
	a.mu.Unlock()
	a.observations.Add(1)
	if kept && o.Service != nil {
		a.aiObservations.Add(1)
	}
	return kept
}

// flushAll takes every window out of the aggregator as batches.
func (a *agent) flushAll() ([]*pb.Batch, int) {
	a.mu.Lock()
	s := a.agg.FlushAll()
	a.mu.Unlock()
	return aggregate.Batches(s, a.cfg.Aggregate.BatchSize), len(s)
}

// spoolLeftOpen spools the windows a killed agent left open (its last
// checkpoint) as finished sightings, so they are neither lost nor merged
// again with anything.
func spoolLeftOpen(sp *spool.Spool, batchSize int, log *slog.Logger) error {
	open := sp.OpenWindows()
	if len(open) == 0 {
		return nil
	}
	switch err := sp.Checkpoint(aggregate.Batches(open, batchSize), nil); {
	case errors.Is(err, spool.ErrCommitted):
		log.Error("spooled the windows left open by the last run, but not all of them are queued yet", "err", err)
	case err != nil:
		return fmt.Errorf("spooling the windows left open by the last run: %w", err)
	}
	log.Info("spooled the sightings of windows left open when the agent last stopped without a clean shutdown", "sightings", len(open))
	return nil
}

// checkpoint spools the windows that closed by now (every window, with
// all) and records the open ones, in one atomic step, so a kill -9 loses
// at most the observations since the last checkpoint. Nothing is written
// while nothing is being merged. Closed windows a failed checkpoint did
// not record are kept for the next one.
func (a *agent) checkpoint(now time.Time, all bool) (int, error) {
	a.mu.Lock()
	if !a.dirty && a.agg.Len() == 0 && len(a.unspooled) == 0 {
		a.mu.Unlock()
		return 0, nil
	}
	closed, open := a.unspooled, []*pb.Sighting(nil)
	if all {
		closed = append(closed, a.agg.FlushAll()...)
	} else {
		closed, open = append(closed, a.agg.Flush(now)...), a.agg.Snapshot()
	}
	a.unspooled, a.dirty = nil, false
	a.mu.Unlock()
	err := a.spool.Checkpoint(aggregate.Batches(closed, a.cfg.Aggregate.BatchSize), open)
	if err != nil && !errors.Is(err, spool.ErrCommitted) {
		a.mu.Lock()
		a.unspooled, a.dirty = append(closed, a.unspooled...), true
		a.mu.Unlock()
		return 0, err
	}
	return len(closed), err
}
