package pipeline

import (
	"context"
	"sync"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/netsensor"
	"github.com/shadowai/shadowai/agent/internal/observe"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// netSensor is the live network sensor of a run, as the heartbeat sees it.
type netSensor struct {
	mu   sync.Mutex // guards live and err
	live *netsensor.Live
	err  error
}

// sniff captures on o.Interfaces (all when empty) until ctx ends; a
// failure to open capture (not root, an unsupported system) is logged and
// reported in the heartbeat, and the other sensors go on.
func (a *agent) sniff(ctx context.Context) {
	l, err := netsensor.StartLive(ctx, a.opts.Interfaces, capture.LiveConfig{}, a.catalog, func(o *observe.Observation) { a.observe(o) })
	a.net.mu.Lock()
	a.net.live, a.net.err = l, err
	a.net.mu.Unlock()
	if err != nil {
		a.opts.Log.Error("network sensor not running", "err", err)
		return
	}
	if err := l.Wait(); err != nil {
		a.opts.Log.Error("network sensor stopped", "err", err)
		a.net.mu.Lock()
		a.net.err = err
		a.net.mu.Unlock()
	}
}

// counters are the network sensor's counters for the heartbeat: packets,
// kernel drops, parse errors, evictions.
func (n *netSensor) counters() map[string]uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.live == nil {
		return nil
	}
	return n.live.Counters()
}

func (n *netSensor) state() *pb.SensorState {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.err != nil:
		return &pb.SensorState{Name: "network", State: "error", Detail: n.err.Error()}
	case n.live == nil:
		return &pb.SensorState{Name: "network", State: "stopped"}
	}
	return &pb.SensorState{Name: "network", State: "running"}
}
