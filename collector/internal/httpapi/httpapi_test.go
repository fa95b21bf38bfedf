package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFilterFrom(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	f, err := filterFrom(httptest.NewRequest("GET", "/v1/inventory?since=7d&by=user&unsanctioned=true&new=1&limit=5&vendor=OpenAI", nil), now)
	if err != nil {
		t.Fatal(err)
	}
	if f.By != "user" || !f.Unsanctioned || !f.New || f.Limit != 5 || f.Vendor != "OpenAI" || f.Since.Format("2006-01-02") != "2026-11-19" {
		t.Errorf("filter %+v", f)
	}
	for q, says := range map[string]string{"limit=ten": "not a number", "since=later": "not a date", "color=red": "unknown parameter"} {
		if _, err := filterFrom(httptest.NewRequest("GET", "/v1/inventory?"+q, nil), now); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want an error saying %q", q, err, says)
		}
	}
}

func FuzzFilterFrom(f *testing.F) {
	for _, q := range []string{"since=7d&by=host", "until=2026-01-01&limit=3", "new=1&since=%ff", "by=service&user=%3Cx%3E"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/v1/inventory", nil)
		r.URL.RawQuery = q
		if f, err := filterFrom(r, time.Now()); err == nil {
			f.Check()
		}
	})
}
