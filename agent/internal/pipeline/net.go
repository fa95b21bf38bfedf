package pipeline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/netsensor"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

func init() { RegisterSensor("network", newNetSensor) }

// netSensor is the live network sensor: DNS, TLS and QUIC names on every
// interface in sensors.network.options.interfaces (comma-separated; "any",
// the default, for all of them), with a kernel ring of
// sensors.network.options.buffer_mib.
type netSensor struct {
	env    SensorEnv
	ifaces []string
	cfg    capture.LiveConfig

	mu   sync.Mutex // guards live
	live *netsensor.Live
}

func newNetSensor(env SensorEnv) (Sensor, error) {
	n := &netSensor{env: env, ifaces: InterfaceList(env.Config.Options["interfaces"])}
	if v := env.Config.Options["buffer_mib"]; v != "" {
		mib, err := strconv.Atoi(v)
		if err != nil || mib < 1 || mib > 1024 {
			return nil, fmt.Errorf("sensors.network.options.buffer_mib %q is not a number of MiB from 1 to 1024", v)
		}
		n.cfg.BufferMiB = mib
	}
	return n, nil
}

// InterfaceList reads an interfaces option or --iface value
// (comma-separated names, or "any"/"all") into capture interface names; ""
// stands for all of them.
func InterfaceList(v string) []string {
	if v == "" || v == "any" || v == "all" {
		return []string{""}
	}
	var out []string
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Run captures until ctx ends. Failing to open capture (not root, an
// unsupported system) is returned, so the heartbeat reports the sensor's
// error and the other sensors go on.
func (n *netSensor) Run(ctx context.Context, emit func(*observe.Observation)) error {
	l, err := netsensor.StartLive(ctx, n.ifaces, n.cfg, n.env.Catalog, emit)
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.live = l
	n.mu.Unlock()
	if err := l.Wait(); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// Counters are the capture counters for the heartbeat: packets, kernel
// drops, parse errors, evictions.
func (n *netSensor) Counters() map[string]uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.live == nil {
		return nil
	}
	return n.live.Counters()
}
