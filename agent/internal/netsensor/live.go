package netsensor

import (
	"context"
	"errors"
	"sync"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// snapshotEvery is how many packets a live sensor processes between
// copies of its counters (and on every idle poll).
const snapshotEvery = 4096

// Live runs one sensor per interface on live capture until its context
// ends. Emits from all interfaces are serialised.
type Live struct {
	mu     sync.Mutex // guards emit, stats and kernel
	emit   func(*observe.Observation)
	stats  map[string]Stats
	kernel map[string]capture.LiveStats
	wg     sync.WaitGroup
	errs   []error
}

// StartLive opens every interface in ifaces ("" for all of them) and
// starts reading. It fails only when no interface could be opened.
func StartLive(ctx context.Context, ifaces []string, cfg capture.LiveConfig, m Matcher, emit func(*observe.Observation)) (*Live, error) {
	if len(ifaces) == 0 {
		ifaces = []string{""}
	}
	l := &Live{stats: map[string]Stats{}, kernel: map[string]capture.LiveStats{}}
	l.emit = func(o *observe.Observation) {
		l.mu.Lock()
		defer l.mu.Unlock()
		emit(o)
	}
	var openErrs []error
	for _, name := range ifaces {
		c := cfg
		c.Interface = name
		src, err := capture.OpenLive(c)
		if err != nil {
			openErrs = append(openErrs, err)
			continue
		}
		l.wg.Add(1)
		go l.run(ctx, ifaceLabel(name), src, m)
	}
	if len(openErrs) == len(ifaces) {
		return nil, errors.Join(openErrs...)
	}
	l.errs = openErrs
	return l, nil
}

func ifaceLabel(name string) string {
	if name == "" {
		return "all"
	}
	return name
}

func (l *Live) run(ctx context.Context, name string, src capture.LiveSource, m Matcher) {
	defer l.wg.Done()
	defer src.Close()
	s := New(m, l.emit)
	var n int
	for ctx.Err() == nil {
		p, err := src.Next()
		if errors.Is(err, capture.ErrTimeout) {
			l.snapshot(name, s, src)
			continue
		}
		if err != nil {
			l.fail(err)
			break
		}
		s.Packet(p)
		if n++; n%snapshotEvery == 0 {
			l.snapshot(name, s, src)
		}
	}
	s.Finish()
	l.snapshot(name, s, src)
}

func (l *Live) snapshot(name string, s *Sensor, src capture.LiveSource) {
	st := s.Stats()
	ks, err := src.Stats()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats[name] = st
	if err == nil {
		l.kernel[name] = ks
	}
}

func (l *Live) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

// Wait blocks until every interface has stopped (the context ended, or
// reading failed) and returns the errors met on the way.
func (l *Live) Wait() error {
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.errs...)
}

// Totals returns the sensor and kernel counters summed over interfaces.
func (l *Live) Totals() (Stats, capture.LiveStats) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var sum Stats
	for _, st := range l.stats {
		sum = sum.add(st)
	}
	var k capture.LiveStats
	for _, ks := range l.kernel {
		k.Received += ks.Received
		k.Drops += ks.Drops
	}
	return sum, k
}

// Counters returns the totals as the heartbeat's named counters.
func (l *Live) Counters() map[string]uint64 {
	st, k := l.Totals()
	c := st.Counters()
	c["kernel_received"] = k.Received
	c["kernel_drops"] = k.Drops
	return c
}
