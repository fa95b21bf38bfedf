package config

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cfg, err := Parse([]byte(`
retention: {raw_days: 7, rollup_days: 90}
policy:
  default: unsanctioned
  categories: {local_runtime: sanctioned}
report: {schedule: "Fri 17:30", timezone: UTC}
endpoints: {silent_after: 2h}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Retention.RawDays != 7 || cfg.Endpoints.SilentAfter.Duration != 2*time.Hour {
		t.Errorf("parsed %+v", cfg)
	}
	if got := cfg.Policy.For("", "local_runtime"); got != "sanctioned" {
		t.Errorf("category default: %s", got)
	}
	if got := cfg.Policy.For("", "chat_assistant"); got != "unsanctioned" {
		t.Errorf("global default: %s", got)
	}
	if got := cfg.Policy.For("under-review", "local_runtime"); got != "under-review" {
		t.Errorf("explicit: %s", got)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ doc, says string }{
		{"retention: {raw_dayz: 3}", "raw_dayz"},
		{"retention: {raw_days: 0}", "raw_days must be at least 1"},
		{"policy: {default: banned}", "policy.default"},
		{"policy: {categories: {chat_assistant: maybe}}", "policy.categories.chat_assistant"},
		{"report: {schedule: 'Someday 7'}", "report.schedule"},
		{"report: {timezone: Mars/Olympus}", "report.timezone"},
		{"report: {webhook: {url: 'ftp://x'}}", "not an http(s) URL"},
		{"report: {smtp: {addr: 'localhost:25'}}", "needs from and to"},
		{"endpoints: {silent_after: soon}", "not a duration"},
		{"- a list", "cannot unmarshal"},
	} {
		_, err := Parse([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", tc.doc, err, tc.says)
		}
	}
}

func TestScheduleNext(t *testing.T) {
	s, err := ParseSchedule("Mon 07:00")
	if err != nil {
		t.Fatal(err)
	}
	wed := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	want := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	if got := s.Next(wed, time.UTC); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", wed, got, want)
	}
	if got := s.Next(want, time.UTC); !got.Equal(want.AddDate(0, 0, 7)) {
		t.Errorf("Next at the scheduled instant = %v, want a week later", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("retention: {raw_days: 7}\n"))
	f.Add([]byte("report: {schedule: 'Mon 07:00', timezone: UTC}\n"))
	f.Add([]byte("policy: {categories: {a: sanctioned}}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := Parse(b)
		if err == nil && cfg.Validate() != nil {
			t.Fatal("Parse accepted an invalid configuration")
		}
	})
}
