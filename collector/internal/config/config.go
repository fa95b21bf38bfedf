// Package config reads the collector's configuration file
// (collector.yaml in the data directory): retention, policy defaults per
// category, the weekly report's schedule and delivery, ingest rate limits
// and when an endpoint counts as silent. Every field has a default; an
// absent file means all defaults.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// File is the configuration's name inside the data directory.
const File = "collector.yaml"

// Config is the collector's configuration.
type Config struct {
	Retention Retention `yaml:"retention"`
	Policy    Policy    `yaml:"policy"`
	Report    Report    `yaml:"report"`
	Ingest    Ingest    `yaml:"ingest"`
	Endpoints Endpoints `yaml:"endpoints"`
}

// Retention says how long data is kept.
type Retention struct {
	RawDays    int `yaml:"raw_days"`
	RollupDays int `yaml:"rollup_days"`
}

// Policy gives services without an explicit policy one by category.
type Policy struct {
	Default    string            `yaml:"default"`
	Categories map[string]string `yaml:"categories"`
}

// Report schedules and delivers the weekly report.
type Report struct {
	// Schedule is "DAY HH:MM" in Timezone, e.g. "Mon 07:00"; "off" disables it.
	Schedule string  `yaml:"schedule"`
	Timezone string  `yaml:"timezone"`
	SMTP     SMTP    `yaml:"smtp"`
	Webhook  Webhook `yaml:"webhook"`
}

// SMTP delivers the report by mail; empty Addr disables it.
type SMTP struct {
	Addr         string   `yaml:"addr"`
	From         string   `yaml:"from"`
	To           []string `yaml:"to"`
	Username     string   `yaml:"username"`
	PasswordFile string   `yaml:"password_file"`
}

// Webhook posts a Slack-compatible summary; empty URL disables it.
type Webhook struct {
	URL string `yaml:"url"`
}

// Ingest bounds what one agent may send.
type Ingest struct {
	// AgentSightingsPerSecond is the sustained rate per agent; 0 is no limit.
	AgentSightingsPerSecond float64 `yaml:"agent_sightings_per_second"`
	// AgentBurst is how many sightings an agent may send at once after a
	// quiet period (a spool flushed after an outage).
	AgentBurst int `yaml:"agent_burst"`
}

// Endpoints says when an endpoint is flagged silent.
type Endpoints struct {
	SilentAfter Duration `yaml:"silent_after"`
}

// Duration reads "90s", "15m", "2h" from YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 15m or 2h", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// Default is the configuration when the file says nothing.
func Default() Config {
	return Config{
		Retention: Retention{RawDays: 30, RollupDays: 400},
		Policy:    Policy{Default: store.UnderReview},
		Report:    Report{Schedule: "Mon 07:00", Timezone: "Local"},
		Ingest:    Ingest{AgentSightingsPerSecond: 2000, AgentBurst: 50000},
		Endpoints: Endpoints{SilentAfter: Duration{15 * time.Minute}},
	}
}

// Load reads path, or the data directory's collector.yaml when path is
// empty; a missing file in the data directory means the defaults.
func Load(dataDir, path string) (Config, error) {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(dataDir, File)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return Default(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("reading configuration: %w", err)
	}
	cfg, err := Parse(b)
	if err != nil {
		return Config{}, fmt.Errorf("configuration %s: %w", path, err)
	}
	return cfg, nil
}

// Parse reads a configuration document over the defaults; unknown keys
// are errors, so a typo never silently keeps a default.
func Parse(b []byte) (Config, error) {
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	return cfg, cfg.Validate()
}
