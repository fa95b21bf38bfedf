package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowai/shadowai/collector/internal/report"
)

// TestWeeklyReport runs what serve does on schedule: the report of a
// week lands in the data directory and reaches the webhook.
func TestWeeklyReport(t *testing.T) {
	var mu sync.Mutex
	var posted []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posted = append(posted, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	dir := t.TempDir()
	env, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Store.Close()
	env.Config.Report.Webhook.URL = hook.URL
	week := report.LastFullWeek(time.Now())
	cfg := Config{DataDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	WeeklyReport(context.Background(), env, cfg, week, true)
	for _, f := range report.Files {
		if _, err := os.Stat(filepath.Join(dir, ReportsDir, week.String(), f)); err != nil {
			t.Errorf("scheduled report: %v", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != 1 || !strings.Contains(posted[0], week.String()) {
		t.Errorf("webhook got %q", posted)
	}
}
