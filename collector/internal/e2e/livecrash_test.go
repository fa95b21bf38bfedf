package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLiveAgentKilled: a live agent sees a local AI runtime (a process
// named ollama) on every process scan, inside one long aggregation window
// that never closes before the agent is killed with -9. The windows it was
// merging were checkpointed, so the next start spools them: the inventory
// counts every match except at most the last scan's, after the last
// checkpoint.
func TestLiveAgentKilled(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process scanning runs on Linux")
	}
	dir := t.TempDir()
	c, state := enrolled(t, dir, "127.0.0.1:0")
	ollama := filepath.Join(dir, "ollama")
	copyFile(t, "/bin/sleep", ollama)
	os.Chmod(ollama, 0o755)
	proc := exec.Command(ollama, "300")
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { proc.Process.Kill(); proc.Wait() }()

	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("log_level: debug\naggregate:\n  window: 1h\n  flush_interval: 200ms\nsensors:\n  process:\n    interval: 1s\n"), 0o600)
	agent, out := spawnAgent(t, "run", "--config", cfg, "--state", state)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && sum(scans(out.String())) < 4 {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // past the next checkpoint
	agent.Process.Signal(syscall.SIGKILL)
	agent.Wait()
	seen := scans(out.String())
	matched, lastScan := sum(seen), uint64(seen[len(seen)-1])
	if _, total := inventory(t, c.data); total != 0 {
		t.Fatalf("window closed before the kill (%d counted): the test needs it open", total)
	}

	off := filepath.Join(dir, "drain.yaml") // restart without the process sensor: only what was left
	os.WriteFile(off, []byte("sensors:\n  process:\n    enabled: false\n"), 0o600)
	agent, out = spawnAgent(t, "run", "--config", off, "--state", state)
	waitTotal(t, c.data, func(n uint64) bool { return n > 0 }, "received the windows left open")
	agent.Process.Signal(syscall.SIGTERM)
	waitExit(t, agent, out, 30*time.Second)
	_, total := inventory(t, c.data)
	if total > matched || total+lastScan < matched {
		t.Errorf("inventory total %d after kill -9: want the %d AI processes the scans matched, less at most the last scan's", total, matched)
	}
	if !strings.Contains(out.String(), "windows left open") {
		t.Errorf("restart did not say it recovered open windows:\n%s", out)
	}
}

// scans lists how many AI processes each process scan matched, from the
// agent's debug log.
func scans(log string) []int {
	var out []int
	for _, line := range strings.Split(log, "\n") {
		if _, rest, ok := strings.Cut(line, `msg="process scan"`); ok {
			if _, m, ok := strings.Cut(rest, " matched="); ok {
				k, _ := strconv.Atoi(strings.Fields(m)[0])
				out = append(out, k)
			}
		}
	}
	return out
}

func sum(xs []int) (n uint64) {
	for _, x := range xs {
		n += uint64(x)
	}
	return n
}
