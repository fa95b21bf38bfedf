package endpoint

import (
	"context"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/procscan"
)

// maxExecsPerSecond bounds the new-process events read per second: a build
// starting thousands of compilers must not cost a core. Events over the
// limit are left to the periodic scan, and counted.
const maxExecsPerSecond = 200

// watchExecs reports AI tools the moment they start, where the OS offers
// new-process events (Linux process connector, as root); short-lived CLI
// runs between two scans are seen too.
func (s *Sensors) watchExecs(ctx context.Context, emit func(*observe.Observation)) {
	if s.opts.Root != "" {
		return // a fake or mounted host has no live events
	}
	var second time.Time
	var n, dropped int
	err := procscan.WatchExecs(ctx, func(pid int) {
		if now := time.Now(); now.Sub(second) >= time.Second {
			if dropped > 0 {
				s.opts.Log.Debug("new-process events left to the periodic scan", "dropped", dropped)
			}
			second, n, dropped = now, 0, 0
		}
		if n++; n > maxExecsPerSecond {
			dropped++
			return
		}
		s.onExec(pid, emit)
	})
	if err != nil {
		s.opts.Log.Info("new-process events unavailable; new tools are found by the periodic scan", "err", err)
	}
}

func (s *Sensors) onExec(pid int, emit func(*observe.Observation)) {
	s.mu.Lock()
	p, err := s.procs.Read(pid)
	var parent *procscan.Proc
	if err == nil {
		if pp, err := s.procs.Read(p.PPID); err == nil {
			parent = &pp
		}
	}
	s.mu.Unlock()
	if err != nil {
		return // already gone; nothing to report about it
	}
	if o, ok := procscan.MatchNew(s.cat, p, parent, time.Now()); ok {
		s.filter.Apply(&o)
		emit(&o)
	}
}
