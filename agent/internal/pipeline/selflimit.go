package pipeline

import (
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/shadowai/shadowai/agent/internal/limits"
)

// selfLimits keeps the agent within its CPU and memory budgets by shedding
// the costliest sensor, and remembers the latest measurement for the
// heartbeat.
type selfLimits struct {
	log     *slog.Logger
	budget  limits.Budget
	watch   *limits.Watch
	sensors *sensorSet

	mu       sync.Mutex // guards usage
	usage    limits.Usage
	measured bool
	markCPU  time.Duration // agent CPU time when sensor costs were last reset
}

func (a *agent) newSelfLimits(sensors *sensorSet) *selfLimits {
	b := limits.Budget{CPUPercent: a.cfg.Limits.CPUPercent, MemoryBytes: uint64(a.cfg.Limits.MemoryBytes), Window: a.cfg.Limits.Window}
	// The Go heap is told to stay well inside the budget, so the collector
	// of garbage works harder before anything has to be shed.
	debug.SetMemoryLimit(int64(b.MemoryBytes) * 3 / 4)
	l := &selfLimits{log: a.opts.Log, budget: b, watch: limits.NewWatch(b), sensors: sensors}
	l.check(time.Now())
	return l
}

// interval is how often usage is sampled: six times per budget window.
func (l *selfLimits) interval() time.Duration { return max(l.budget.Window/6, time.Second) }

func (l *selfLimits) last() limits.Usage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usage
}

func (l *selfLimits) check(now time.Time) {
	u, err := limits.Self()
	if err != nil {
		l.mu.Lock()
		first := !l.measured
		l.measured = true
		l.mu.Unlock()
		if first {
			l.log.Warn("cannot measure the agent's own usage; budgets are not enforced", "err", err)
		}
		return
	}
	l.mu.Lock()
	if !l.measured {
		l.markCPU = u.CPU
	}
	l.usage, l.measured = u, true
	l.mu.Unlock()
	over := l.watch.Check(now, u)
	if over == nil {
		return
	}
	if over.Resource == "memory" {
		debug.FreeOSMemory()
		if u2, err := limits.Self(); err == nil && u2.RSS <= l.budget.MemoryBytes {
			return
		}
	}
	l.shed(over, u.CPU)
}

func (l *selfLimits) shed(over *limits.Over, cpu time.Duration) {
	defer l.watch.Reset()
	l.mu.Lock()
	since := cpu - l.markCPU
	l.markCPU = cpu
	l.mu.Unlock()
	name := l.sensors.shedCostliest("over budget: "+over.Detail, since)
	if name == "" {
		l.log.Warn("agent over budget with no sensor left to shed", "resource", over.Resource, "detail", over.Detail)
		return
	}
	l.log.Warn("sensor shed to stay within budget", "sensor", name, "resource", over.Resource, "detail", over.Detail)
	l.sensors.resetCosts()
}
