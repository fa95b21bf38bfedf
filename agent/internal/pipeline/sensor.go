package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowai/shadowai/agent/internal/config"
	"github.com/shadowai/shadowai/agent/internal/endpoint"
	"github.com/shadowai/shadowai/agent/internal/observe"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

// Sensor is a live source of observations. To add one, write
// sensor_<name>.go in this package with an init function that calls
// RegisterSensor; RunLive starts every registered sensor the configuration
// does not disable (sensors.<name>.enabled: false), reports its state in
// the heartbeat, and may shed it when the agent is over budget.
type Sensor interface {
	// Run observes until ctx ends, passing each observation to emit (safe
	// from any goroutine). It returns nil when ctx ends, ErrUnsupported
	// (wrapped) when it cannot work on this OS, or another error when it
	// failed; the agent reports it and goes on without the sensor.
	Run(ctx context.Context, emit func(*observe.Observation)) error
}

// Counting is implemented by sensors with counters worth a heartbeat
// (packets, kernel_drops, parse_errors, evictions, ...).
type Counting interface {
	Counters() map[string]uint64
}

// ErrUnsupported marks a sensor that cannot run on this OS.
var ErrUnsupported = errors.New("not supported on this OS")

func unsupported(what string) error {
	return fmt.Errorf("%w: %s on %s", ErrUnsupported, what, runtime.GOOS)
}

var errNoEndpoint = errors.New("no endpoint sensors for this run")

// SensorEnv is what a sensor is built from.
type SensorEnv struct {
	Name    string
	Config  config.Sensor
	Catalog *signatures.Live
	Log     *slog.Logger
	// Endpoint is the host's endpoint sensors, shared with flow
	// attribution.
	Endpoint *endpoint.Sensors
	// Meter is where the sensor adds the time it spends working, so the
	// budget knows which sensor costs most. A sensor that never adds to it
	// is charged the agent CPU the metered sensors do not explain.
	Meter *Meter
}

// SensorFactory builds a sensor.
type SensorFactory func(SensorEnv) (Sensor, error)

var sensorFactories = map[string]SensorFactory{}

// RegisterSensor makes a sensor kind known; call it from init.
func RegisterSensor(name string, f SensorFactory) {
	if _, dup := sensorFactories[name]; dup {
		panic("pipeline: sensor " + name + " registered twice")
	}
	sensorFactories[name] = f
}

// Meter accumulates a sensor's busy time.
type Meter struct{ busy atomic.Int64 }

// Time runs f and counts its duration as busy.
func (m *Meter) Time(f func()) {
	t := time.Now()
	f()
	m.busy.Add(int64(time.Since(t)))
}

// Busy is the total busy time so far.
func (m *Meter) Busy() time.Duration { return time.Duration(m.busy.Load()) }

// Sensor states, as the heartbeat reports them.
const (
	stateRunning     = "running"
	stateStopped     = "stopped"
	stateShed        = "shed"
	stateUnsupported = "unsupported"
	stateError       = "error"
)

// sensorRun is one sensor in a live run.
type sensorRun struct {
	name   string
	sensor Sensor
	meter  *Meter
	cancel context.CancelFunc

	mu            sync.Mutex // guards state, detail, mark
	state, detail string
	mark          time.Duration // busy time at the last budget reset
}

func (r *sensorRun) set(state, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == stateShed && state != stateShed {
		return // a shed sensor stays shed, whatever its Run returned
	}
	r.state, r.detail = state, detail
}

// sensorSet is the sensors of a live run.
type sensorSet struct {
	log  *slog.Logger
	runs []*sensorRun
	wg   sync.WaitGroup
}

// startSensors builds every registered sensor from base (catalog, log,
// endpoint sensors) and its configuration, and starts it.
func startSensors(ctx context.Context, cfg config.Config, base SensorEnv, emit func(*observe.Observation)) *sensorSet {
	log := base.Log
	set := &sensorSet{log: log}
	for _, name := range slices.Sorted(maps.Keys(sensorFactories)) {
		r := &sensorRun{name: name, meter: &Meter{}}
		set.runs = append(set.runs, r)
		sc := cfg.Sensors[name]
		if !sc.On() {
			r.set(stateStopped, "disabled in the configuration")
			continue
		}
		env := base
		env.Name, env.Config, env.Log, env.Meter = name, sc, log.With("sensor", name), r.meter
		s, err := sensorFactories[name](env)
		if err != nil {
			r.failed(log, err)
			continue
		}
		r.sensor = s
		set.start(ctx, r, emit)
	}
	return set
}

func (set *sensorSet) start(ctx context.Context, r *sensorRun, emit func(*observe.Observation)) {
	ctx, r.cancel = context.WithCancel(ctx)
	r.set(stateRunning, "")
	set.wg.Add(1)
	go func() {
		defer set.wg.Done()
		err := r.sensor.Run(ctx, emit)
		switch {
		case err != nil:
			r.failed(set.log, err)
		case ctx.Err() == nil:
			r.set(stateStopped, "finished")
		}
	}()
}

func (r *sensorRun) failed(log *slog.Logger, err error) {
	if errors.Is(err, ErrUnsupported) {
		r.set(stateUnsupported, err.Error())
		log.Warn("sensor not available on this host", "sensor", r.name, "err", err)
		return
	}
	r.set(stateError, err.Error())
	log.Error("sensor failed; the agent goes on without it", "sensor", r.name, "err", err)
}

// wait waits for every sensor to return after ctx ended.
func (set *sensorSet) wait() { set.wg.Wait() }

// states reports every sensor for the heartbeat.
func (set *sensorSet) states() []*pb.SensorState {
	out := make([]*pb.SensorState, 0, len(set.runs))
	for _, r := range set.runs {
		r.mu.Lock()
		out = append(out, &pb.SensorState{Name: r.name, State: r.state, Detail: r.detail})
		r.mu.Unlock()
	}
	return out
}

// counters sums the sensors' counters, plus each one's busy seconds.
func (set *sensorSet) counters(into map[string]uint64) {
	for _, r := range set.runs {
		if c, ok := r.sensor.(Counting); ok {
			for k, v := range c.Counters() {
				into[k] += v
			}
		}
		into["sensor_busy_ms_"+r.name] = uint64(r.meter.Busy().Milliseconds())
	}
}

// shedCostliest stops the running sensor that cost most since the last
// reset and marks it shed with why. cpu is the whole agent's CPU time over
// the same span: sensors that do not meter their work (the network sensor
// works inside the capture loop) are charged, in equal parts, what the
// metered ones do not explain. It returns the sensor's name, or "" when
// no sensor is left to shed.
func (set *sensorSet) shedCostliest(why string, cpu time.Duration) string {
	costs := set.costs(cpu)
	var worst *sensorRun
	var worstCost time.Duration = -1
	for r, cost := range costs {
		if cost > worstCost || cost == worstCost && worst != nil && r.name < worst.name {
			worst, worstCost = r, cost
		}
	}
	if worst == nil {
		return ""
	}
	worst.set(stateShed, fmt.Sprintf("%s; it cost %.1fs of CPU since the last check", why, worstCost.Seconds()))
	worst.cancel()
	return worst.name
}

// costs estimates what each running sensor cost since the last reset.
func (set *sensorSet) costs(cpu time.Duration) map[*sensorRun]time.Duration {
	costs := map[*sensorRun]time.Duration{}
	var metered time.Duration
	var unmetered []*sensorRun
	for _, r := range set.runs {
		r.mu.Lock()
		cost, running := r.meter.Busy()-r.mark, r.state == stateRunning
		r.mu.Unlock()
		if !running {
			continue
		}
		if r.meter.Busy() == 0 {
			unmetered = append(unmetered, r)
			continue
		}
		costs[r] = cost
		metered += cost
	}
	for _, r := range unmetered {
		costs[r] = max(cpu-metered, 0) / time.Duration(len(unmetered))
	}
	return costs
}

// resetCosts starts a new cost window.
func (set *sensorSet) resetCosts() {
	for _, r := range set.runs {
		r.mu.Lock()
		r.mark = r.meter.Busy()
		r.mu.Unlock()
	}
}
