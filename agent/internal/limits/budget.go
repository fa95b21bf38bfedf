package limits

import (
	"fmt"
	"time"
)

// Budget is what the agent may use.
type Budget struct {
	// CPUPercent is percent of one core, averaged over Window.
	CPUPercent float64
	// MemoryBytes bounds resident memory.
	MemoryBytes uint64
	Window      time.Duration
}

// Over says which budget was exceeded and by how much, in words fit for a
// heartbeat and a log line.
type Over struct {
	Resource string // "cpu" or "memory"
	Detail   string
}

type sample struct {
	at  time.Time
	cpu time.Duration
}

// Watch turns usage samples into verdicts. It is not safe for concurrent
// use.
type Watch struct {
	b       Budget
	samples []sample
}

// NewWatch watches b.
func NewWatch(b Budget) *Watch { return &Watch{b: b} }

// Check records a sample. It reports CPU over budget only once a whole
// window of samples shows it (a burst, such as the first process scan, is
// not a reason to shed), and memory over budget at once.
func (w *Watch) Check(now time.Time, u Usage) *Over {
	w.samples = append(w.samples, sample{now, u.CPU})
	for len(w.samples) > 2 && now.Sub(w.samples[1].at) >= w.b.Window {
		w.samples = w.samples[1:]
	}
	if w.b.MemoryBytes > 0 && u.RSS > w.b.MemoryBytes {
		return &Over{Resource: "memory", Detail: fmt.Sprintf("resident memory %d MiB over the budget of %d MiB", u.RSS>>20, w.b.MemoryBytes>>20)}
	}
	pct, span := w.cpuPercent()
	if span >= w.b.Window && w.b.CPUPercent > 0 && pct > w.b.CPUPercent {
		return &Over{Resource: "cpu", Detail: fmt.Sprintf("CPU %.1f%% of one core over %s, over the budget of %g%%", pct, span.Round(time.Second), w.b.CPUPercent)}
	}
	return nil
}

// CPUPercent is the average CPU use over the samples kept, in percent of
// one core.
func (w *Watch) CPUPercent() float64 {
	p, _ := w.cpuPercent()
	return p
}

func (w *Watch) cpuPercent() (float64, time.Duration) {
	if len(w.samples) < 2 {
		return 0, 0
	}
	first, last := w.samples[0], w.samples[len(w.samples)-1]
	span := last.at.Sub(first.at)
	if span <= 0 {
		return 0, 0
	}
	return 100 * float64(last.cpu-first.cpu) / float64(span), span
}

// Reset forgets the samples, so that after a sensor is shed the next
// verdict is about the agent without it.
func (w *Watch) Reset() { w.samples = w.samples[:0] }
