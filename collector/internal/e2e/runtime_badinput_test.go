package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRuntimeBadInput: a corrupt configuration, a spool file from a newer
// agent, a state directory the agent may not read. Each gets a clear
// message; the agent goes on with what it can and deletes nothing it
// cannot read.
func TestRuntimeBadInput(t *testing.T) {
	dir := t.TempDir()
	c, state := enrolled(t, dir, "127.0.0.1:0")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("spool:\n  max_bytes: [lots\n"), 0o600)

	t.Run("config check of a corrupt file", func(t *testing.T) {
		oneLine(t, "config check", run(t, agentBin, "config", "check", "--config", bad), 1, "bad.yaml is not valid agent YAML (line")
	})
	t.Run("config check of a bad value", func(t *testing.T) {
		f := filepath.Join(dir, "value.yaml")
		os.WriteFile(f, []byte("uplink:\n  compression: zstd\n"), 0o600)
		oneLine(t, "config check", run(t, agentBin, "config", "check", "--config", f), 1, `uplink.compression: "zstd" is not gzip or none; using gzip`)
	})
	t.Run("config check of a missing file named explicitly", func(t *testing.T) {
		oneLine(t, "config check", run(t, agentBin, "config", "check", "--config", filepath.Join(dir, "nope.yaml")), 1, "no such file")
	})
	t.Run("run with a corrupt file uses the defaults", func(t *testing.T) {
		r := run(t, agentBin, "run", "--config", bad, "--state", state, "--pcap", basicPcap)
		if r.code != 0 || !strings.Contains(r.stderr, "configuration problem; using the default") {
			t.Errorf("exit %d, stderr %q: want the run to succeed and say it used defaults", r.code, r.stderr)
		}
	})
	t.Run("spool file from a newer agent", func(t *testing.T) {
		c.stop()
		pcap := filepath.Join(dir, "dns.pcap")
		writeDNSCapture(t, pcap, 3)
		run(t, agentBin, "run", "--state", state, "--pcap", pcap, "--wait", "1s")
		files, _ := filepath.Glob(filepath.Join(state, "spool", "*.batch"))
		if len(files) == 0 {
			t.Fatal("nothing spooled")
		}
		data, _ := os.ReadFile(files[0])
		data[4] = 7
		os.WriteFile(files[0], data, 0o600)
		r := run(t, agentBin, "run", "--state", state, "--pcap", pcap, "--wait", "1s")
		if !strings.Contains(r.stderr, "written by a newer agent (format 7") || !strings.Contains(r.stderr, "left in place, not sent") {
			t.Errorf("stderr does not report the newer batch:\n%s", r.stderr)
		}
		if _, err := os.Stat(files[0]); err != nil {
			t.Errorf("the newer batch was not left in place: %v", err)
		}
	})
	t.Run("second agent on the same state directory", func(t *testing.T) {
		live, out := spawnAgent(t, "run", "--state", state)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && !strings.Contains(out.String(), "heartbeat") {
			time.Sleep(50 * time.Millisecond) // the live agent has opened its spool by its first heartbeat
		}
		r := run(t, agentBin, "run", "--state", state, "--pcap", basicPcap, "--wait", "1s")
		oneLine(t, "second agent", r, 1, "is in use by another agent process (pid ")
		live.Process.Signal(syscall.SIGTERM)
		waitExit(t, live, out, 30*time.Second)
	})
	t.Run("state directory without permission", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to run the agent as another user")
		}
		os.Chmod(filepath.Dir(agentBin), 0o755)
		cmd := exec.Command(agentBin, "run", "--state", state, "--pcap", basicPcap)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out strings.Builder
		cmd.Stderr = &out
		err := cmd.Run()
		r := result{stderr: out.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
		oneLine(t, "unreadable state", r, 1, "is not readable by this user (uid 65534)")
	})
}
