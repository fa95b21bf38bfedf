package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/agent/internal/config"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// busySensor spends busy time on every tick and emits one observation.
type busySensor struct {
	env       SensorEnv
	cost      time.Duration
	err       error
	unmetered bool // never touches its Meter, as the network sensor
}

func (b *busySensor) Run(ctx context.Context, emit func(*observe.Observation)) error {
	if b.err != nil {
		return b.err
	}
	for {
		if !b.unmetered {
			b.env.Meter.Time(func() {
				if b.cost > 0 {
					time.Sleep(b.cost)
				}
			})
		}
		emit(&observe.Observation{Source: observe.DNS, Domain: b.env.Name})
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Millisecond):
		}
	}
}

func withSensors(t *testing.T, fs map[string]SensorFactory) {
	t.Helper()
	saved := sensorFactories
	sensorFactories = fs
	t.Cleanup(func() { sensorFactories = saved })
}

func states(set *sensorSet) map[string]string {
	out := map[string]string{}
	for _, s := range set.states() {
		out[s.Name] = s.State
	}
	return out
}

func TestSensorSet(t *testing.T) {
	withSensors(t, map[string]SensorFactory{
		"cheap":  func(e SensorEnv) (Sensor, error) { return &busySensor{env: e}, nil },
		"costly": func(e SensorEnv) (Sensor, error) { return &busySensor{env: e, cost: 3 * time.Millisecond}, nil },
		"off":    func(e SensorEnv) (Sensor, error) { return &busySensor{env: e}, nil },
		"broken": func(e SensorEnv) (Sensor, error) {
			return &busySensor{env: e, err: errors.New("no such interface")}, nil
		},
		"elsewhere": func(e SensorEnv) (Sensor, error) {
			return nil, errors.Join(ErrUnsupported, errors.New("needs Windows"))
		},
	})
	cfg := config.Defaults()
	off := false
	cfg.Sensors["off"] = config.Sensor{Enabled: &off}
	var mu sync.Mutex
	seen := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	set := startSensors(ctx, cfg, SensorEnv{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, func(o *observe.Observation) {
		mu.Lock()
		seen[o.Domain]++
		mu.Unlock()
	})
	time.Sleep(100 * time.Millisecond)
	if name := set.shedCostliest("over budget: CPU 9% over 1m0s", 0); name != "costly" {
		t.Errorf("shed %q, want the costly sensor", name)
	}
	time.Sleep(20 * time.Millisecond)
	want := map[string]string{"cheap": "running", "costly": "shed", "off": "stopped", "broken": "error", "elsewhere": "unsupported"}
	if diff := cmp.Diff(want, states(set)); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	for _, s := range set.states() {
		if s.Name == "costly" && !strings.Contains(s.Detail, "over budget: CPU 9%") {
			t.Errorf("shed sensor's detail %q does not say why", s.Detail)
		}
	}
	if set.shedCostliest("again", 0) != "cheap" || set.shedCostliest("again", 0) != "" {
		t.Error("after the costly sensor, the cheap one is shed, then nothing is left")
	}
	cancel()
	set.wait()
	c := map[string]uint64{}
	set.counters(c)
	if c["sensor_busy_ms_costly"] == 0 || seen["cheap"] == 0 || seen["off"] != 0 {
		t.Errorf("counters %v, observations %v", c, seen)
	}
}

// TestUnmeteredChargedTheRest: a sensor that does not meter its work (as
// the network sensor) is charged the CPU the metered ones do not explain,
// and is shed first when that is the larger part.
func TestUnmeteredChargedTheRest(t *testing.T) {
	withSensors(t, map[string]SensorFactory{
		"metered":   func(e SensorEnv) (Sensor, error) { return &busySensor{env: e, cost: time.Millisecond}, nil },
		"unmetered": func(e SensorEnv) (Sensor, error) { return &busySensor{env: e, unmetered: true}, nil },
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	set := startSensors(ctx, config.Defaults(), SensorEnv{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, func(*observe.Observation) {})
	time.Sleep(50 * time.Millisecond)
	if got := set.shedCostliest("over", 10*time.Second); got != "unmetered" {
		t.Errorf("with 10 s of agent CPU unexplained, shed %q, want the unmetered sensor", got)
	}
	cancel()
	set.wait()
}
