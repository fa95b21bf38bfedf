package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The reliability tests of issue 5, (a) to (d): every AI observation the
// agent made is counted exactly once in the inventory, through a collector
// outage, kill -9 of the agent, kill -9 of the collector; and a full spool
// drops the oldest and reports exactly how many sightings it dropped.

// slowAgent is a configuration that makes streaming take seconds: one
// sighting per batch, and the backlog paced at 1 KiB/s.
func slowAgent(t *testing.T, dir string, extra string) string {
	t.Helper()
	path := filepath.Join(dir, "agent.yaml")
	cfg := "aggregate:\n  batch_size: 1\nuplink:\n  rate_bytes_per_second: 1KiB\n  window: 2\n" + extra
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// enrolled starts a collector and enrolls an agent with it.
func enrolled(t *testing.T, dir, listen string) (*collector, string) {
	t.Helper()
	c := startCollector(t, filepath.Join(dir, "collector"), listen)
	state := filepath.Join(dir, "agent")
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
	return c, state
}

// spawnAgent starts `shadowai-agent args...` in the background.
func spawnAgent(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(agentBin, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

// waitTotal polls the inventory until its count total satisfies ok.
func waitTotal(t *testing.T, data string, ok func(uint64) bool, what string) uint64 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(data, "shadowai.db")); err == nil {
			if _, total := inventory(t, data); ok(total) {
				return total
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, total := inventory(t, data)
	t.Fatalf("inventory total %d: never %s", total, what)
	return 0
}

func waitExit(t *testing.T, cmd *exec.Cmd, out *syncBuffer, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("agent did not finish within %s:\n%s", limit, out)
		return -1
	}
}

// (a) The collector is down when the agent starts reading a capture and
// comes up later; the same agent run delivers every observation once.
func TestReliabilityCollectorDownThenUp(t *testing.T) {
	dir := t.TempDir()
	listen := freePort(t)
	c, state := enrolled(t, dir, listen)
	c.stop()
	pcap := filepath.Join(dir, "dns.pcap")
	writeDNSCapture(t, pcap, 40)
	want, _ := aiObservations(t, pcap)

	cmd, out := spawnAgent(t, "run", "--state", state, "--pcap", pcap, "--wait", "60s")
	time.Sleep(3 * time.Second) // the agent reads, spools and retries meanwhile
	c = startCollector(t, c.data, listen)
	if code := waitExit(t, cmd, out, 60*time.Second); code != 0 {
		t.Fatalf("agent exit %d:\n%s", code, out)
	}
	if !strings.Contains(out.String(), "collector stream interrupted; retrying") {
		t.Errorf("the agent never saw the collector down:\n%s", out)
	}
	if _, total := inventory(t, c.data); total != want {
		t.Errorf("inventory total %d, want %d", total, want)
	}
}

// (b) kill -9 of the agent while it streams; the next run sends the rest,
// and nothing is counted twice.
func TestReliabilityAgentKilled(t *testing.T) {
	dir := t.TempDir()
	c, state := enrolled(t, dir, "127.0.0.1:0")
	cfg := slowAgent(t, dir, "")
	pcap := filepath.Join(dir, "dns.pcap")
	writeDNSCapture(t, pcap, 40)
	want, _ := aiObservations(t, pcap)

	cmd, _ := spawnAgent(t, "run", "--config", cfg, "--state", state, "--pcap", pcap)
	got := waitTotal(t, c.data, func(n uint64) bool { return n >= 5 }, "reached 5")
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if got >= want {
		t.Fatalf("the agent finished (%d of %d) before it was killed: slow it down", got, want)
	}
	r := mustRun(t, agentBin, "run", "--config", cfg, "--state", state, "--pcap", pcap)
	if !strings.Contains(r.stdout, "already ingested") {
		t.Errorf("the capture was read again after the kill: %s", r.stdout)
	}
	if _, total := inventory(t, c.data); total != want {
		t.Errorf("after kill -9 and restart: inventory total %d, want %d", total, want)
	}
}

// (c) kill -9 of the collector while batches are in flight; it restarts on
// the same address and the agent, still running, completes.
func TestReliabilityCollectorKilled(t *testing.T) {
	dir := t.TempDir()
	listen := freePort(t)
	c, state := enrolled(t, dir, listen)
	cfg := slowAgent(t, dir, "")
	pcap := filepath.Join(dir, "dns.pcap")
	writeDNSCapture(t, pcap, 40)
	want, _ := aiObservations(t, pcap)

	cmd, out := spawnAgent(t, "run", "--config", cfg, "--state", state, "--pcap", pcap, "--wait", "90s")
	got := waitTotal(t, c.data, func(n uint64) bool { return n >= 5 }, "reached 5")
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd.Wait()
	if got >= want {
		t.Fatalf("the agent finished (%d of %d) before the collector was killed", got, want)
	}
	c = startCollector(t, c.data, listen)
	if code := waitExit(t, cmd, out, 90*time.Second); code != 0 {
		t.Fatalf("agent exit %d:\n%s", code, out)
	}
	if _, total := inventory(t, c.data); total != want {
		t.Errorf("after kill -9 of the collector: inventory total %d, want %d", total, want)
	}
}

type agentRow struct {
	ID        string `json:"id"`
	RevokedAt string `json:"revoked_at"`
	LastSeen  string `json:"last_seen"`
	Certs     string `json:"cert_not_after"`
	Batches   uint64 `json:"batches"`
	Dropped   uint64 `json:"dropped"`
}

func agents(t *testing.T, data string) []agentRow {
	t.Helper()
	out := mustRun(t, collectorBin, "agents", "list", "--data", data, "--format", "json").stdout
	var rows []agentRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("agents list json: %v\n%s", err, out)
	}
	return rows
}

// (d) The spool fills while the collector is down: the oldest batches are
// dropped, and the exact number of sightings dropped reaches the
// collector, which stores what was kept and counts what was not.
func TestReliabilitySpoolFull(t *testing.T) {
	dir := t.TempDir()
	listen := freePort(t)
	c, state := enrolled(t, dir, listen)
	c.stop()
	const n = 600 // about 90 KiB of one-sighting batches, for a 64 KiB spool
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("aggregate:\n  batch_size: 1\nspool:\n  max_bytes: 64KiB\n"), 0o600)
	pcap := filepath.Join(dir, "dns.pcap")
	writeDNSCapture(t, pcap, n)

	r := run(t, agentBin, "run", "--config", cfg, "--state", state, "--pcap", pcap, "--wait", "3s")
	oneLine(t, "run with the collector down", r, 1, "cannot reach the collector")
	status := mustRun(t, agentBin, "status", "--config", cfg, "--state", state).stdout
	var batches, kept, spoolBytes, dropped, unreported uint64
	line := status[strings.Index(status, "spool:"):]
	if _, err := fmt.Sscanf(line, "spool:       %d batches, %d sightings, %d bytes of 64KiB; %d sightings dropped when full (%d not yet reported)",
		&batches, &kept, &spoolBytes, &dropped, &unreported); err != nil {
		t.Fatalf("status: %v\n%s", err, status)
	}
	if dropped == 0 || kept+dropped != n || spoolBytes > 64<<10 {
		t.Fatalf("spool keeps %d sightings in %d bytes and dropped %d; want %d in all and at most 64 KiB:\n%s", kept, spoolBytes, dropped, n, status)
	}

	c = startCollector(t, c.data, listen)
	mustRun(t, agentBin, "run", "--config", cfg, "--state", state, "--pcap", pcap)
	rows, total := inventory(t, c.data)
	if total != kept {
		t.Errorf("inventory total %d, want the %d sightings kept", total, kept)
	}
	a := agents(t, c.data)
	if len(a) != 1 || a[0].Dropped != dropped {
		t.Errorf("collector records %+v dropped, want %d", a, dropped)
	}
	// Oldest first: what is left starts right after what was dropped.
	firstKept := genStart.Add(time.Duration(dropped) * 61 * time.Second)
	for _, row := range rows {
		if ts, _ := time.Parse(time.RFC3339, row.FirstSeen); ts.Before(firstKept) {
			t.Errorf("service %s first seen %s: older than the first kept sighting %s, so not the oldest were dropped", row.Service, row.FirstSeen, firstKept.Format(time.RFC3339))
		}
	}
}
