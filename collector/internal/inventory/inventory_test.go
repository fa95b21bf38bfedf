package inventory

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

var now = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

func TestWindows(t *testing.T) {
	tests := []struct {
		since, until         string
		wantSince, wantUntil string
		bad                  string
	}{
		{"7d", "", "2026-11-19", "", ""},
		{"1d", "", "2026-11-25", "", ""},
		{"2026-11-01", "2026-11-08", "2026-11-01", "2026-11-08", ""},
		{"2026-11-01T13:00:00Z", "2026-11-08T01:00:00+01:00", "2026-11-01", "2026-11-08", ""},
		{"2026-11-01T13:00:00Z", "2026-11-08T13:00:00Z", "2026-11-01", "2026-11-09", ""},
		{"yesterday", "", "", "", "not a date"},
		{"0d", "", "", "", "not a date"},
		{"", "soon", "", "", "not a date"},
	}
	for _, tc := range tests {
		s, err1 := ParseSince(tc.since, now)
		u, err2 := ParseUntil(tc.until, now)
		if tc.bad != "" {
			if (err1 == nil || !strings.Contains(err1.Error(), tc.bad)) && (err2 == nil || !strings.Contains(err2.Error(), tc.bad)) {
				t.Errorf("%q/%q: want an error saying %q", tc.since, tc.until, tc.bad)
			}
			continue
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("%q/%q: %v %v", tc.since, tc.until, err1, err2)
		}
		if got := day(s); got != tc.wantSince {
			t.Errorf("since %q = %s, want %s", tc.since, got, tc.wantSince)
		}
		if got := day(u); got != tc.wantUntil {
			t.Errorf("until %q = %s, want %s", tc.until, got, tc.wantUntil)
		}
	}
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func TestEscaping(t *testing.T) {
	for in, want := range map[string]string{"=1+2": "'=1+2", "+x": "'+x", "-x": "'-x", "@x": "'@x", "\tx": "'\tx", "ok": "ok", "": ""} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Terminal("a\x1b[31mb\nc"); got != `a\x1b[31mb\x0ac` {
		t.Errorf("Terminal = %q", got)
	}
}

func TestHealth(t *testing.T) {
	enrolled := now.Add(-48 * time.Hour)
	tests := []struct {
		name   string
		a      store.Agent
		status string
		says   string
	}{
		{"never beat", store.Agent{EnrolledAt: enrolled}, "silent", "never sent a heartbeat"},
		{"old beat", store.Agent{EnrolledAt: enrolled, LastHeartbeat: now.Add(-3 * time.Hour)}, "silent", "no heartbeat for 3h0m0s"},
		{"revoked", store.Agent{EnrolledAt: enrolled, RevokedAt: now}, "revoked", "revoked at"},
		{"sensor down", store.Agent{EnrolledAt: enrolled, LastHeartbeat: now, Health: `{"sensors":[{"name":"dns","state":"error","detail":"no permission"}],"spoolDroppedSightings":"12"}`}, "degraded", "sensor dns error no permission; dropped 12 sightings"},
		{"garbage", store.Agent{EnrolledAt: enrolled, LastHeartbeat: now, Health: `{"sensors":`}, "degraded", "unreadable"},
		{"fine", store.Agent{EnrolledAt: enrolled, LastHeartbeat: now, Health: `{"sensors":[{"name":"dns","state":"running"}]}`}, "ok", ""},
	}
	for _, tc := range tests {
		status, detail := health(tc.a, 15*time.Minute, now)
		if status != tc.status || !strings.Contains(detail, tc.says) {
			t.Errorf("%s: %s %q, want %s saying %q", tc.name, status, detail, tc.status, tc.says)
		}
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"7d", "2026-11-01", "2026-11-01T13:00:00Z", "99999999d", "-1d", "d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		since, err := ParseSince(s, now)
		if err == nil && !since.IsZero() && !since.Equal(store.DayOf(since).Time()) {
			t.Fatalf("ParseSince(%q) = %v, not a day boundary", s, since)
		}
		until, err := ParseUntil(s, now)
		if err == nil && !until.IsZero() && !until.Equal(store.DayOf(until).Time()) {
			t.Fatalf("ParseUntil(%q) = %v, not a day boundary", s, until)
		}
	})
}
