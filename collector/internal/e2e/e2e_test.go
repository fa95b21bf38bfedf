package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const basicPcap = "../../../agent/internal/netsensor/testdata/basic.pcap"

// basicPcapDay is the UTC day basic.pcap was captured. Its sightings carry
// that day, so a fixed window such as "1d" (today) finds them only on it.
var basicPcapDay = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// sinceCapture is a --since in days that reaches back to basicPcapDay.
func sinceCapture() string {
	return fmt.Sprintf("%dd", int(time.Since(basicPcapDay)/(24*time.Hour))+1)
}

// TestEndToEnd enrolls a real agent with a real collector, streams a
// capture, and checks that the inventory counts exactly the AI
// observations the agent saw.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	c := startCollector(t, filepath.Join(dir, "collector"), "127.0.0.1:0")
	state := filepath.Join(dir, "agent")
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)

	want, perService := aiObservations(t, basicPcap)
	if want == 0 {
		t.Fatal("test capture has no AI observations")
	}
	mustRun(t, agentBin, "run", "--state", state, "--pcap", basicPcap)
	rows, total := inventory(t, c.data)
	if total != want {
		t.Errorf("inventory count total = %d, want %d (the agent's AI observations)", total, want)
	}
	for _, r := range rows {
		if r.Count != perService[r.Service] {
			t.Errorf("service %s: count %d, want %d", r.Service, r.Count, perService[r.Service])
		}
		if r.Hosts != 1 || r.Vendor == "" || r.Category == "" || r.FirstSeen == "" {
			t.Errorf("row %+v: want 1 host and vendor, category, first_seen filled", r)
		}
	}

	// Running the same capture again must not count it twice.
	mustRun(t, agentBin, "run", "--state", state, "--pcap", basicPcap)
	if _, again := inventory(t, c.data); again != want {
		t.Errorf("after re-running the same capture: total %d, want %d", again, want)
	}
}

// TestCollectorDown streams a capture while the collector is down: the
// agent fails clearly and keeps the sightings; once the collector is back
// they arrive exactly once.
func TestCollectorDown(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "collector")
	listen := freePort(t)
	c := startCollector(t, data, listen)
	state := filepath.Join(dir, "agent")
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
	c.stop()

	r := run(t, agentBin, "run", "--state", state, "--pcap", basicPcap, "--wait", "2s")
	oneLine(t, "run with collector down", r, 1, "cannot reach the collector")
	spooled, _ := filepath.Glob(filepath.Join(state, "spool", "*.batch"))
	if len(spooled) == 0 {
		t.Fatal("no batches kept in the spool while the collector was down")
	}

	startCollector(t, data, listen)
	mustRun(t, agentBin, "run", "--state", state, "--pcap", basicPcap)
	want, _ := aiObservations(t, basicPcap)
	if _, total := inventory(t, data); total != want {
		t.Errorf("after the collector came back: total %d, want %d", total, want)
	}
}

// TestBadInput: every mistake gets a one-line error and a non-zero exit,
// and nothing stored is lost.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	c := startCollector(t, filepath.Join(dir, "collector"), "127.0.0.1:0")
	state := filepath.Join(dir, "agent")
	tok := c.token()
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", tok, "--state", state)
	mustRun(t, agentBin, "run", "--state", state, "--pcap", basicPcap)
	_, before := inventory(t, c.data)

	notCapture := filepath.Join(dir, "notes.txt")
	os.WriteFile(notCapture, []byte("hello\n"), 0o644)
	data, _ := os.ReadFile(basicPcap)
	truncated := filepath.Join(dir, "truncated.pcap")
	os.WriteFile(truncated, data[:len(data)-30], 0o644)

	other := startCollector(t, filepath.Join(dir, "other"), "127.0.0.1:0")

	tests := []struct {
		name string
		bin  string
		args []string
		code int
		says string
	}{
		{"not a capture", agentBin, []string{"scan", "--pcap", notCapture}, 1, "not a pcap or pcapng"},
		{"truncated capture", agentBin, []string{"scan", "--pcap", truncated}, 1, "truncated"},
		{"missing capture", agentBin, []string{"scan", "--pcap", filepath.Join(dir, "nope.pcap")}, 1, "no such file"},
		{"unknown agent flag", agentBin, []string{"scan", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"unknown collector flag", collectorBin, []string{"inventory", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"unknown command", agentBin, []string{"frobnicate"}, 2, "unknown command"},
		{"reused token", agentBin, []string{"enroll", "--collector", c.addr, "--token", tok, "--state", filepath.Join(dir, "a2")}, 1, "already used"},
		{"malformed token", agentBin, []string{"enroll", "--collector", c.addr, "--token", "hunter2", "--state", filepath.Join(dir, "a3")}, 1, "not a shadowai enrollment token"},
		{"token of another collector", agentBin, []string{"enroll", "--collector", c.addr, "--token", other.token(), "--state", filepath.Join(dir, "a4")}, 1, "does not match the fingerprint"},
		{"impostor collector", agentBin, []string{"enroll", "--collector", other.addr, "--token", c.token(), "--state", filepath.Join(dir, "a5")}, 1, "does not match the fingerprint"},
		{"collector not running", agentBin, []string{"enroll", "--collector", freePort(t), "--token", c.token(), "--state", filepath.Join(dir, "a6")}, 1, "cannot reach the collector"},
		{"not enrolled", agentBin, []string{"run", "--state", filepath.Join(dir, "fresh"), "--pcap", basicPcap}, 1, "not enrolled"},
		{"inventory without data", collectorBin, []string{"inventory", "--data", filepath.Join(dir, "nothing")}, 1, "no collector database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oneLine(t, tc.name, run(t, tc.bin, tc.args...), tc.code, tc.says)
		})
	}

	t.Run("agent without a valid certificate", func(t *testing.T) {
		// Enroll with the other collector, then point the agent at ours: its
		// certificate is not from our CA.
		rogue := filepath.Join(dir, "rogue")
		mustRun(t, agentBin, "enroll", "--collector", other.addr, "--token", other.token(), "--state", rogue)
		ourCA, _ := os.ReadFile(filepath.Join(state, "ca.crt"))
		os.WriteFile(filepath.Join(rogue, "ca.crt"), ourCA, 0o644)
		rewriteCollector(t, rogue, c.addr)
		r := run(t, agentBin, "run", "--state", rogue, "--pcap", basicPcap, "--wait", "5s")
		oneLine(t, "foreign certificate", r, 1, "not valid for this collector")
	})

	if _, after := inventory(t, c.data); after != before {
		t.Errorf("bad input changed the inventory: %d observations before, %d after", before, after)
	}
}

func rewriteCollector(t *testing.T, state, addr string) {
	t.Helper()
	path := filepath.Join(state, "enrollment.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	e["collector"] = addr
	out, _ := json.Marshal(e)
	os.WriteFile(path, out, 0o600)
}
