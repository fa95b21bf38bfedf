package pipeline

import (
	"context"
	"runtime"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

func init() { RegisterSensor("process", newProcessSensor) }

// processSensor is the host's endpoint sensors (package endpoint): running
// AI tools and local runtimes every sensors.process.interval, on new
// processes where the OS reports them, and the extension and model-store
// inventory at start and daily.
type processSensor struct{ env SensorEnv }

func newProcessSensor(env SensorEnv) (Sensor, error) {
	if env.Endpoint == nil {
		return nil, errNoEndpoint
	}
	return &processSensor{env: env}, nil
}

func (p *processSensor) Run(ctx context.Context, emit func(*observe.Observation)) error {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		return unsupported("process scanning")
	}
	p.env.Endpoint.Run(ctx, emit)
	return nil
}
