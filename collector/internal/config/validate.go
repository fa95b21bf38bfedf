package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// Validate checks values the YAML types cannot.
func (c Config) Validate() error {
	if c.Retention.RawDays < 1 || c.Retention.RollupDays < c.Retention.RawDays {
		return fmt.Errorf("retention: raw_days must be at least 1 and rollup_days at least raw_days (have %d and %d)",
			c.Retention.RawDays, c.Retention.RollupDays)
	}
	if err := c.Policy.validate(); err != nil {
		return err
	}
	if _, err := c.Report.Location(); err != nil {
		return err
	}
	if _, err := ParseSchedule(c.Report.Schedule); err != nil {
		return err
	}
	if u := c.Report.Webhook.URL; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("report.webhook.url %q is not an http(s) URL", u)
		}
	}
	if c.Report.SMTP.Addr != "" && (c.Report.SMTP.From == "" || len(c.Report.SMTP.To) == 0) {
		return fmt.Errorf("report.smtp needs from and to when addr is set")
	}
	if c.Ingest.AgentSightingsPerSecond < 0 || c.Ingest.AgentBurst < 0 {
		return fmt.Errorf("ingest: rates must not be negative")
	}
	if c.Endpoints.SilentAfter.Duration <= 0 {
		return fmt.Errorf("endpoints.silent_after must be positive")
	}
	return nil
}

func (p Policy) validate() error {
	if !store.ValidPolicy(p.Default) {
		return fmt.Errorf("policy.default %q: use sanctioned, unsanctioned or under-review", p.Default)
	}
	for cat, v := range p.Categories {
		if !store.ValidPolicy(v) {
			return fmt.Errorf("policy.categories.%s %q: use sanctioned, unsanctioned or under-review", cat, v)
		}
	}
	return nil
}

// For returns the effective policy of a service: the one set explicitly,
// else its category's default, else the global default.
func (p Policy) For(explicit, category string) string {
	if explicit != "" {
		return explicit
	}
	if v, ok := p.Categories[category]; ok {
		return v
	}
	return p.Default
}

// Location is the report's time zone.
func (r Report) Location() (*time.Location, error) {
	if r.Timezone == "" || r.Timezone == "Local" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return nil, fmt.Errorf("report.timezone %q is not a time zone like Europe/Berlin or UTC", r.Timezone)
	}
	return loc, nil
}

// Schedule is a weekly time; Off disables it.
type Schedule struct {
	Off          bool
	Weekday      time.Weekday
	Hour, Minute int
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseSchedule reads "Mon 07:00" or "off".
func ParseSchedule(s string) (Schedule, error) {
	if strings.EqualFold(s, "off") {
		return Schedule{Off: true}, nil
	}
	bad := fmt.Errorf("report.schedule %q: want a weekday and a time like \"Mon 07:00\", or \"off\"", s)
	day, hm, ok := strings.Cut(strings.TrimSpace(s), " ")
	wd, known := weekdays[strings.ToLower(day)]
	if !ok || !known {
		return Schedule{}, bad
	}
	t, err := time.Parse("15:04", strings.TrimSpace(hm))
	if err != nil {
		return Schedule{}, bad
	}
	return Schedule{Weekday: wd, Hour: t.Hour(), Minute: t.Minute()}, nil
}

// Next is the first scheduled time strictly after now, in loc.
func (s Schedule) Next(now time.Time, loc *time.Location) time.Time {
	now = now.In(loc)
	d := time.Date(now.Year(), now.Month(), now.Day(), s.Hour, s.Minute, 0, 0, loc)
	for d.Weekday() != s.Weekday || !d.After(now) {
		d = time.Date(d.Year(), d.Month(), d.Day()+1, s.Hour, s.Minute, 0, 0, loc)
	}
	return d
}
