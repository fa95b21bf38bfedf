// Package config is the agent's YAML configuration: one file in the OS's
// usual place, every setting optional with a sane default. A file that
// cannot be read or has a bad value never stops the agent: the setting
// falls back to its default and the problem is reported, so a typo pushed
// to a fleet degrades one knob instead of silencing every agent.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is every agent setting. Zero values are replaced by defaults.
type Config struct {
	// StateDir holds the identity, the spool and the ingest markers.
	StateDir  string    `yaml:"state_dir"`
	LogLevel  string    `yaml:"log_level"`
	Aggregate Aggregate `yaml:"aggregate"`
	Spool     Spool     `yaml:"spool"`
	Uplink    Uplink    `yaml:"uplink"`
	Heartbeat Heartbeat `yaml:"heartbeat"`
	Limits    Limits    `yaml:"limits"`
	// Sensors are keyed by sensor name ("process", "network", ...).
	Sensors map[string]Sensor `yaml:"sensors"`
}

// Aggregate configures merging observations into sightings.
type Aggregate struct {
	Window        time.Duration `yaml:"window"`
	FlushInterval time.Duration `yaml:"flush_interval"`
	BatchSize     int           `yaml:"batch_size"`
}

// Spool configures the on-disk queue of unacknowledged batches.
type Spool struct {
	MaxBytes Size `yaml:"max_bytes"`
}

// Uplink configures the stream to the collector.
type Uplink struct {
	// Window is how many batches may await acknowledgement at once.
	Window     int           `yaml:"window"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// RateBytes bounds how fast a backlog drains, in bytes per second, so
	// a fleet coming back after an outage does not flood the collector.
	RateBytes Size `yaml:"rate_bytes_per_second"`
	// Compression is "gzip" or "none".
	Compression string `yaml:"compression"`
	// RenewBefore is how long before its certificate expires the agent
	// asks for a new one.
	RenewBefore time.Duration `yaml:"renew_before"`
}

// Heartbeat configures the health report.
type Heartbeat struct {
	Interval time.Duration `yaml:"interval,omitempty"`
}

// Limits are the agent's own resource budgets.
type Limits struct {
	// CPUPercent is the budget in percent of one core, averaged over
	// Window.
	CPUPercent float64 `yaml:"cpu_percent"`
	// MemoryBytes is the resident-memory budget; the Go heap is also
	// told to stay under it.
	MemoryBytes Size          `yaml:"memory_bytes"`
	Window      time.Duration `yaml:"window"`
}

// Sensor configures one sensor.
type Sensor struct {
	// Enabled defaults to true.
	Enabled  *bool         `yaml:"enabled,omitempty"`
	Interval time.Duration `yaml:"interval,omitempty"`
	// Options are sensor-specific settings (interface names, ...).
	Options map[string]string `yaml:"options,omitempty"`
}

// On reports whether the sensor is enabled (the default).
func (s Sensor) On() bool { return s.Enabled == nil || *s.Enabled }

// Defaults returns the configuration used when no file sets anything.
func Defaults() Config {
	return Config{
		StateDir: DefaultStateDir(),
		LogLevel: "info",
		Aggregate: Aggregate{
			Window: time.Minute, FlushInterval: 10 * time.Second, BatchSize: 1000,
		},
		Spool: Spool{MaxBytes: 256 << 20},
		Uplink: Uplink{
			Window: 8, MaxBackoff: time.Minute, RateBytes: 1 << 20, Compression: "gzip",
			RenewBefore: 30 * 24 * time.Hour,
		},
		Heartbeat: Heartbeat{Interval: time.Minute},
		Limits:    Limits{CPUPercent: 5, MemoryBytes: 100 << 20, Window: time.Minute},
		Sensors: map[string]Sensor{
			"process": {Interval: 30 * time.Second},
			// The kernel ring is resident memory once traffic has cycled
			// through it: 8 MiB keeps a busy laptop's agent under 40 MiB;
			// kernel_drops in the heartbeat says when it is too small.
			"network": {Options: map[string]string{"interfaces": "any", "buffer_mib": "8"}},
		},
	}
}

// Problem is one thing wrong with a configuration file; the agent uses the
// default instead.
type Problem struct {
	Setting string
	Msg     string
}

func (p Problem) Error() string {
	if p.Setting == "" {
		return p.Msg
	}
	return p.Setting + ": " + p.Msg
}

// Load reads the file at path. A missing file at the default path is not a
// problem (every default applies); a missing file named explicitly is. The
// returned Config is always usable: anything wrong falls back to its
// default and is listed in problems.
func Load(path string, explicit bool) (Config, []Problem) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && !explicit:
		return Defaults(), nil
	case err != nil:
		return Defaults(), []Problem{{Msg: fmt.Sprintf("cannot read config %s: %v; using defaults", path, err)}}
	}
	return Parse(data, path)
}

// Parse decodes a YAML document; name is used in messages.
func Parse(data []byte, name string) (Config, []Problem) {
	c := Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Defaults(), []Problem{{Msg: fmt.Sprintf("%s is not valid agent YAML (%s); using defaults for every setting: fix the file and run `shadowai-agent config check`", name, yamlMsg(err))}}
	}
	return c.withDefaults()
}

// yamlMsg flattens the decoder's multi-line errors into one line.
func yamlMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return strings.ReplaceAll(msg, "\n  ", "; ")
}

// YAML renders the effective configuration, as `config check` prints it.
func (c Config) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("rendering configuration: %w", err)
	}
	return buf.Bytes(), enc.Close()
}
