package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// withDefaults fills every unset value and replaces every out-of-range
// value by its default, reporting the latter.
func (c Config) withDefaults() (Config, []Problem) {
	d := Defaults()
	v := &validator{}
	c.StateDir = v.text("state_dir", c.StateDir, d.StateDir)
	if c.LogLevel == "" {
		c.LogLevel = d.LogLevel
	} else if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		v.bad("log_level", fmt.Sprintf("%q is not debug, info, warn or error; using %s", c.LogLevel, d.LogLevel))
		c.LogLevel = d.LogLevel
	}
	c.Aggregate.Window = v.duration("aggregate.window", c.Aggregate.Window, d.Aggregate.Window, time.Second, 24*time.Hour)
	c.Aggregate.FlushInterval = v.duration("aggregate.flush_interval", c.Aggregate.FlushInterval, d.Aggregate.FlushInterval, 100*time.Millisecond, time.Hour)
	c.Aggregate.BatchSize = v.integer("aggregate.batch_size", c.Aggregate.BatchSize, d.Aggregate.BatchSize, 1, 10000)
	c.Spool.MaxBytes = v.size("spool.max_bytes", c.Spool.MaxBytes, d.Spool.MaxBytes, 64<<10, 64<<30)
	c.Uplink.Window = v.integer("uplink.window", c.Uplink.Window, d.Uplink.Window, 1, 256)
	c.Uplink.MaxBackoff = v.duration("uplink.max_backoff", c.Uplink.MaxBackoff, d.Uplink.MaxBackoff, time.Second, 24*time.Hour)
	c.Uplink.RateBytes = v.size("uplink.rate_bytes_per_second", c.Uplink.RateBytes, d.Uplink.RateBytes, 1<<10, 1<<40)
	c.Uplink.RenewBefore = v.duration("uplink.renew_before", c.Uplink.RenewBefore, d.Uplink.RenewBefore, time.Hour, 365*24*time.Hour)
	if c.Uplink.Compression == "" {
		c.Uplink.Compression = d.Uplink.Compression
	} else if c.Uplink.Compression != "gzip" && c.Uplink.Compression != "none" {
		v.bad("uplink.compression", fmt.Sprintf("%q is not gzip or none; using %s", c.Uplink.Compression, d.Uplink.Compression))
		c.Uplink.Compression = d.Uplink.Compression
	}
	c.Heartbeat.Interval = v.duration("heartbeat.interval", c.Heartbeat.Interval, d.Heartbeat.Interval, time.Second, 24*time.Hour)
	c.Limits.CPUPercent = v.percent("limits.cpu_percent", c.Limits.CPUPercent, d.Limits.CPUPercent)
	c.Limits.MemoryBytes = v.size("limits.memory_bytes", c.Limits.MemoryBytes, d.Limits.MemoryBytes, 16<<20, 64<<30)
	c.Limits.Window = v.duration("limits.window", c.Limits.Window, d.Limits.Window, time.Second, time.Hour)
	c.Sensors = v.sensors(c.Sensors, d.Sensors)
	return c, v.problems
}

// validator collects problems while checking values.
type validator struct{ problems []Problem }

func (v *validator) bad(setting, msg string) {
	v.problems = append(v.problems, Problem{Setting: setting, Msg: msg})
}

func (v *validator) text(name, got, def string) string {
	if strings.TrimSpace(got) == "" {
		return def
	}
	return got
}

func (v *validator) duration(name string, got, def, lo, hi time.Duration) time.Duration {
	return inRange(v, name, got, def, lo, hi, time.Duration.String)
}

func (v *validator) integer(name string, got, def, lo, hi int) int {
	return inRange(v, name, got, def, lo, hi, strconv.Itoa)
}

func (v *validator) size(name string, got, def, lo, hi Size) Size {
	return inRange(v, name, got, def, lo, hi, Size.String)
}

// inRange returns def for an unset (zero) value, got when it lies in
// lo..hi, and otherwise def with a problem written with show.
func inRange[T cmp.Ordered](v *validator, name string, got, def, lo, hi T, show func(T) string) T {
	var zero T
	if got == zero {
		return def
	}
	if got < lo || got > hi {
		v.bad(name, fmt.Sprintf("%s is outside %s..%s; using %s", show(got), show(lo), show(hi), show(def)))
		return def
	}
	return got
}

func (v *validator) percent(name string, got, def float64) float64 {
	if got == 0 {
		return def
	}
	if got < 0.1 || got > 100 {
		v.bad(name, fmt.Sprintf("%g is outside 0.1..100 (percent of one core); using %g", got, def))
		return def
	}
	return got
}

// sensors merges the configured sensors over the defaults; unknown names
// are kept, since sensors register themselves and config cannot know them
// all.
func (v *validator) sensors(got, def map[string]Sensor) map[string]Sensor {
	out := maps.Clone(def)
	for _, name := range slices.Sorted(maps.Keys(got)) {
		s := got[name]
		if s.Interval != 0 {
			s.Interval = v.duration("sensors."+name+".interval", s.Interval, def[name].Interval, time.Second, 24*time.Hour)
		} else {
			s.Interval = def[name].Interval
		}
		if opts := maps.Clone(def[name].Options); opts != nil {
			maps.Copy(opts, s.Options) // configured options over the defaults
			s.Options = opts
		}
		out[name] = s
	}
	return out
}
