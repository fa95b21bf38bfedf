package pipeline

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/config"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// spinSensor burns CPU, metered, until it is stopped.
type spinSensor struct{ env SensorEnv }

func (s *spinSensor) Run(ctx context.Context, emit func(*observe.Observation)) error {
	for ctx.Err() == nil {
		s.env.Meter.Time(func() {
			for t := time.Now(); time.Since(t) < 5*time.Millisecond; {
			}
		})
		runtime.Gosched()
	}
	return nil
}

// TestSelfLimitSheds measures this very process: a sensor that spins is
// over a 1% CPU budget within a one-second window, and is shed and
// reported instead of the agent running on over budget.
func TestSelfLimitSheds(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		t.Skip("no usage reader on this OS")
	}
	withSensors(t, map[string]SensorFactory{
		"spin": func(e SensorEnv) (Sensor, error) { return &spinSensor{env: e}, nil },
	})
	cfg := config.Defaults()
	cfg.Limits = config.Limits{CPUPercent: 1, MemoryBytes: 1 << 30, Window: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sensors := startSensors(ctx, cfg, SensorEnv{Log: log}, func(*observe.Observation) {})
	a := &agent{opts: Options{Log: log}, cfg: cfg}
	self := a.newSelfLimits(sensors)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && states(sensors)["spin"] == "running" {
		time.Sleep(200 * time.Millisecond)
		self.check(time.Now())
	}
	if got := states(sensors)["spin"]; got != "shed" {
		t.Fatalf("spinning sensor is %q, want shed", got)
	}
	if u := self.last(); u.CPU <= 0 || u.RSS == 0 {
		t.Errorf("last usage %+v: want CPU and RSS measured", u)
	}
	sensors.wait()
}
