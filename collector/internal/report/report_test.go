package report

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/collector/internal/config"
	"github.com/shadowai/shadowai/collector/internal/fleetsim"
	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/store"
	"github.com/shadowai/shadowai/signatures"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// week48 is the last of the eight simulated weeks.
var week48 = Week{2026, 48}

func fixture(t testing.TB, hosts int) *inventory.Inventory {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	cat, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var svcs []store.Service
	for _, s := range cat.Services() {
		svcs = append(svcs, store.Service{ID: s.ID, Name: s.Name, Vendor: s.Vendor, Category: s.Category, Risk: s.Risk})
	}
	if err := st.SyncServices(ctx, svcs); err != nil {
		t.Fatal(err)
	}
	f := fleetsim.New(1, hosts, week48.Minus(7).Day(), 56)
	if err := f.Enroll(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Ingest(ctx, st, 12); err != nil {
		t.Fatal(err)
	}
	for svc, p := range map[string]string{"microsoft-copilot": "sanctioned", "github-copilot": "sanctioned", "deepl": "sanctioned",
		"deepseek": "unsanctioned", "character-ai": "unsanctioned", "xai-grok": "unsanctioned", "manus": "unsanctioned"} {
		if err := st.SetPolicy(ctx, svc, p); err != nil {
			t.Fatal(err)
		}
	}
	return &inventory.Inventory{Store: st, Policy: config.Default().Policy}
}

func build(t testing.TB, inv *inventory.Inventory) *Report {
	t.Helper()
	// Heartbeats are never sent in the fixture: every endpoint is silent
	// unless the window is long.
	b := &Builder{Inv: inv, SilentAfter: 365 * 24 * time.Hour,
		Now: func() time.Time { return time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC) }}
	r, err := b.Build(context.Background(), week48)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGolden(t *testing.T) {
	r := build(t, fixture(t, 120))
	if r.Totals.NewServices == 0 || len(r.TopUsers) == 0 || len(r.Trend) != TrendWeeks {
		t.Fatalf("fixture too thin: %+v", r.Totals)
	}
	for i, name := range Files {
		writers := []func(*bytes.Buffer) error{
			func(b *bytes.Buffer) error { return r.WriteHTML(b) }, func(b *bytes.Buffer) error { return r.WriteMarkdown(b) },
			func(b *bytes.Buffer) error { return r.WriteCSV(b) }, func(b *bytes.Buffer) error { return r.WriteJSON(b) },
		}
		var got bytes.Buffer
		if err := writers[i](&got); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "weekly."+strings.TrimPrefix(filepath.Ext(name), ".")), got.Bytes())
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

// TestHostileNames: names agents send are escaped in every rendering.
func TestHostileNames(t *testing.T) {
	r := &Report{Week: "2026-W48", Span: week48.Span(),
		Services: []Service{{ID: "evil", Name: `<script>alert(1)</script>`, Vendor: "=HYPERLINK(\"http://x\")", Category: "| * _", Policy: "unsanctioned", Hosts: 1, New: true, Risk: 50}},
		TopUsers: []Top{{Name: "@SUM(A1)|<img src=x onerror=1>", Services: []string{"evil"}, Count: 1}},
		Trend:    make([]Point, TrendWeeks)}
	for i := range r.Trend {
		r.Trend[i].Week = week48.Minus(7 - i).String()
	}
	r.New, r.Ranking = r.Services, r.Services
	r.Totals.Services, r.Totals.NotSanctioned = 1, 1
	var h, m, c, s bytes.Buffer
	if err := r.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	r.WriteMarkdown(&m)
	r.WriteCSV(&c)
	for what, bad := range map[string]bool{
		"raw <script> in html":    strings.Contains(h.String(), "<script>"),
		"raw <img in html":        strings.Contains(h.String(), "<img"),
		"raw <script> in md":      strings.Contains(m.String(), "<script>"),
		"unescaped pipe in md":    strings.Contains(m.String(), "| * _ |"),
		"formula in csv":          strings.Contains(c.String(), ",=HYPERLINK"),
		"raw <script> in webhook": strings.Contains(r.slackText(), "<script>"),
	} {
		if bad {
			t.Error(what)
		}
	}
	s.WriteString(r.slackText())
	if !strings.Contains(s.String(), "&lt;script&gt;") {
		t.Errorf("webhook text does not escape <: %s", s.String())
	}
}

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct {
		in, start string
		bad       bool
	}{
		{"2026-W48", "2026-11-23", false},
		{"2026-W01", "2025-12-29", false},
		{"2020-W53", "2020-12-28", false},
		{"2025-W53", "", true},
		{"2026-W53", "2026-12-28", false},
		{"2026-W00", "", true},
		{"2026-48", "", true},
		{"2026-W48x", "", true},
		{"", "", true},
	} {
		w, err := ParseWeek(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("ParseWeek(%q) error %v, want error %v", tc.in, err, tc.bad)
			continue
		}
		if !tc.bad && w.Start().Format("2006-01-02") != tc.start {
			t.Errorf("ParseWeek(%q) starts %s, want %s", tc.in, w.Start().Format("2006-01-02"), tc.start)
		}
	}
	if got := LastFullWeek(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)); got != week48 {
		t.Errorf("LastFullWeek on Monday 30 Nov = %s, want 2026-W48", got)
	}
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W48", "2026-W53", "0000-W00", "9999-W52"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeek(s)
		if err == nil && w.String() != s {
			t.Fatalf("ParseWeek(%q) = %s", s, w)
		}
	})
}

func BenchmarkBuild(b *testing.B) {
	inv := fixture(b, 200)
	b.ReportAllocs()
	for b.Loop() {
		build(b, inv)
	}
}
