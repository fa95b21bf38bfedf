// Package pipeline wires the agent's stages together: sensors produce
// observations, the aggregator merges them into sightings, the spool keeps
// them on disk, and the uplink streams them to the collector.
package pipeline

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/shadowai/shadowai/agent/internal/aggregate"
	"github.com/shadowai/shadowai/agent/internal/catalogsync"
	"github.com/shadowai/shadowai/agent/internal/endpoint"
	"github.com/shadowai/shadowai/agent/internal/identity"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/spool"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

// Options configure a run.
type Options struct {
	StateDir     string
	AgentVersion string
	Log          *slog.Logger
	// Window is the aggregation window.
	Window time.Duration
	// BatchSize is the most sightings one batch carries.
	BatchSize int
	// HeartbeatInterval is how often a live run reports its health and
	// checks for a new signature catalog; 0 means heartbeatInterval.
	HeartbeatInterval time.Duration
	// Interfaces the live network sensor captures on; empty means all.
	Interfaces []string
	// Endpoint configures the process, listener, extension and model
	// store sensors and flow attribution (privacy options included).
	Endpoint endpoint.Options
}

// DefaultBatchSize keeps a batch well under the collector's limits.
const DefaultBatchSize = 1000

// agent is the state one run shares between its stages.
type agent struct {
	opts    Options
	state   *identity.State
	catalog *signatures.Live
	spool   *spool.Spool
	// sensors are the endpoint sensors; they also attribute network
	// observations to the process and user that made them.
	sensors *endpoint.Sensors

	mu  sync.Mutex // guards agg
	agg *aggregate.Aggregator

	sync *catalogsync.Syncer // used by the heartbeat loop only
	net  netSensor
}

func open(o Options) (*agent, error) {
	st, err := identity.Load(o.StateDir)
	if err != nil {
		return nil, err
	}
	cat, err := catalogsync.Load(o.StateDir, o.Log)
	if err != nil {
		return nil, err
	}
	sp, err := spool.Open(filepath.Join(o.StateDir, "spool"), 0)
	if err != nil {
		return nil, err
	}
	hostname, _ := os.Hostname()
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Endpoint.Log == nil {
		o.Endpoint.Log = o.Log
	}
	return &agent{
		opts: o, state: st, catalog: cat, spool: sp, sensors: endpoint.New(cat, o.Endpoint),
		agg: aggregate.New(o.Window, st.Enrollment.HostID, hostname, cat.Version()),
	}, nil
}

// observe merges one observation; safe for concurrent sensors.
func (a *agent) observe(o *observe.Observation) bool {
	a.sensors.Attribute(o)
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.agg.Add(o)
}

// spoolClosed moves every finished window (or, with all, every window)
// from the aggregator to the spool. It returns the number of sightings
// spooled.
func (a *agent) spoolClosed(now time.Time, all bool) (int, error) {
	a.mu.Lock()
	var s []*pb.Sighting
	if all {
		s = a.agg.FlushAll()
	} else {
		s = a.agg.Flush(now)
	}
	a.mu.Unlock()
	for _, b := range aggregate.Batches(s, a.opts.BatchSize) {
		if _, err := a.spool.Append(b); err != nil {
			return 0, err
		}
	}
	return len(s), nil
}
