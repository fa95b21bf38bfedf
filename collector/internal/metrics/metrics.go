// Package metrics keeps the collector's operational numbers and writes
// them in the Prometheus text exposition format for /metrics: ingest rate,
// open streams, batch latency, database size. A handful of metrics do not
// justify the Prometheus client library and its dependencies.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Counter only goes up.
type Counter struct{ v atomic.Uint64 }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Value is the current count.
func (c *Counter) Value() uint64 { return c.v.Load() }

// Gauge goes up and down.
type Gauge struct{ v atomic.Int64 }

// Add adds n (negative to subtract).
func (g *Gauge) Add(n int64) { g.v.Add(n) }

// Value is the current value.
func (g *Gauge) Value() int64 { return g.v.Load() }

// Histogram counts observations into fixed buckets (seconds).
type Histogram struct {
	bounds []float64
	mu     sync.Mutex // guards counts, sum, n
	counts []uint64
	sum    float64
	n      uint64
}

// NewHistogram makes a histogram with the given upper bounds, ascending.
func NewHistogram(bounds ...float64) *Histogram {
	return &Histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
}

// Observe records one duration.
func (h *Histogram) Observe(d time.Duration) {
	s := d.Seconds()
	i := sort.SearchFloat64s(h.bounds, s)
	h.mu.Lock()
	if i < len(h.counts) {
		h.counts[i]++
	}
	h.sum += s
	h.n++
	h.mu.Unlock()
}

type metric struct {
	name, help, kind string
	write            func(w io.Writer, name string)
}

// Registry is an ordered set of metrics.
type Registry struct {
	mu      sync.Mutex // guards metrics
	metrics []metric
}

func (r *Registry) add(m metric) {
	r.mu.Lock()
	r.metrics = append(r.metrics, m)
	r.mu.Unlock()
}

// Counter registers and returns a new counter.
func (r *Registry) Counter(name, help string) *Counter {
	c := &Counter{}
	r.CounterFunc(name, help, func() float64 { return float64(c.Value()) })
	return c
}

// Gauge registers and returns a new gauge.
func (r *Registry) Gauge(name, help string) *Gauge {
	g := &Gauge{}
	r.GaugeFunc(name, help, func() float64 { return float64(g.Value()) })
	return g
}

// CounterFunc registers a counter whose value is read when scraped.
func (r *Registry) CounterFunc(name, help string, f func() float64) {
	r.add(metric{name, help, "counter", func(w io.Writer, n string) { fmt.Fprintf(w, "%s %s\n", n, num(f())) }})
}

// GaugeFunc registers a gauge whose value is read when scraped.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	r.add(metric{name, help, "gauge", func(w io.Writer, n string) { fmt.Fprintf(w, "%s %s\n", n, num(f())) }})
}

// Histogram registers and returns a new histogram.
func (r *Registry) Histogram(name, help string, bounds ...float64) *Histogram {
	h := NewHistogram(bounds...)
	r.add(metric{name, help, "histogram", h.write})
	return h
}

func (h *Histogram) write(w io.Writer, name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", name, num(b), cum)
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %s\n%s_count %d\n", name, h.n, name, num(h.sum), name, h.n)
}

// Write writes every metric in the Prometheus text format.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	ms := append([]metric(nil), r.metrics...)
	r.mu.Unlock()
	for _, m := range ms {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.kind)
		m.write(w, m.name)
	}
}

func num(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
