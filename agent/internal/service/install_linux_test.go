package service

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite installers/systemd/shadowai-agent.service")

const goldenUnit = "../../../installers/systemd/shadowai-agent.service"

// fakeSystemctl stands in for systemctl, the one OS boundary this sandbox
// cannot run (systemd is not PID 1): it records each call and answers
// is-active from a file.
const fakeSystemctl = `#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls"
case "$1" in
  --version) echo "systemd 252 (252.1)";;
  is-active) cat "$FAKE_DIR/active" 2>/dev/null || echo inactive;;
  list-unit-files) [ -f /etc/systemd/system/shadowai-agent.service ] && echo "shadowai-agent.service enabled";;
  start|restart) echo active > "$FAKE_DIR/active";;
  stop) echo inactive > "$FAKE_DIR/active";;
esac
exit 0
`

// TestInstallSystemd runs the real `shadowai-agent install|start|status|
// stop|restart|uninstall` through kardianos/service's systemd backend, in a
// private mount namespace where /run/systemd/system exists (so systemd is
// detected), /etc/systemd/system is a temporary directory, and systemctl
// is the fake above. What is not exercised: systemd itself loading and
// supervising the unit.
func TestInstallSystemd(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "shadowai-agent")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/shadowai-agent").CombinedOutput(); err != nil {
		t.Fatalf("building the agent: %v\n%s", err, out)
	}
	fake := filepath.Join(dir, "fake")
	units := filepath.Join(dir, "units")
	os.MkdirAll(fake, 0o755)
	os.MkdirAll(units, 0o755)
	os.WriteFile(filepath.Join(fake, "systemctl"), []byte(fakeSystemctl), 0o755)
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("state_dir: "+filepath.Join(dir, "state")+"\n"), 0o600)

	script := `set -e
mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system
mount --bind "$UNITS" /etc/systemd/system
export PATH="$FAKE_DIR:$PATH"
a() { echo "> $*"; "$BIN" "$@" --config "$CFG" 2>&1 || echo "exit $?"; }
a status
a install
a install
a status
a start
a status
a restart
a stop
a uninstall
a status
`
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "FAKE_DIR="+fake, "UNITS="+units, "BIN="+bin, "CFG="+cfg)
	outB, err := cmd.CombinedOutput()
	out := string(outB)
	if err != nil {
		t.Fatalf("namespace script: %v\n%s", err, out)
	}
	for _, want := range []string{
		"> status\nservice:     not installed",
		"> install\nshadowai-agent service installed",
		"> install\nshadowai-agent install: install the shadowai-agent service: Init already exists",
		"> start\nshadowai-agent service started\n> status\nservice:     running",
		"> stop\nshadowai-agent service stopped",
		"> uninstall\nshadowai-agent service uninstalled",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	calls, _ := os.ReadFile(filepath.Join(fake, "calls"))
	for _, want := range []string{"enable shadowai-agent.service", "daemon-reload", "start shadowai-agent.service", "stop shadowai-agent.service", "disable shadowai-agent.service"} {
		if !strings.Contains(string(calls), want) {
			t.Errorf("systemctl was not asked to %q; calls:\n%s", want, calls)
		}
	}
	checkUnit(t, dir, bin, cfg)
}

// checkUnit compares the unit install wrote (captured before uninstall
// removed it) with installers/systemd, and has systemd-analyze verify it.
func checkUnit(t *testing.T, dir, bin, cfg string) {
	t.Helper()
	unit := renderUnitInNamespace(t, dir, bin, cfg)
	norm := strings.NewReplacer(bin, "/usr/local/bin/shadowai-agent", cfg, "/etc/shadowai/agent.yaml").Replace(unit)
	if *update {
		os.MkdirAll(filepath.Dir(goldenUnit), 0o755)
		os.WriteFile(goldenUnit, []byte(norm), 0o644)
	}
	want, _ := os.ReadFile(goldenUnit)
	if diff := cmp.Diff(string(want), norm); diff != "" {
		t.Errorf("unit differs from %s (-want +got; go test -update rewrites it):\n%s", goldenUnit, diff)
	}
	for _, line := range []string{"Restart=always", "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=shadowai-agent",
		"CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH",
		"ExecStart=" + bin + ` "run" "--service" "--config" "` + cfg + `"`} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks the line %q", line)
		}
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze not installed: unit syntax not verified")
		return
	}
	path := filepath.Join(dir, "shadowai-agent.service")
	os.WriteFile(path, []byte(unit), 0o644)
	// verify exits 0 on unknown or misspelt keys; it only says so.
	if out, err := exec.Command("systemd-analyze", "verify", "--man=no", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// renderUnitInNamespace installs once more and returns the unit file.
func renderUnitInNamespace(t *testing.T, dir, bin, cfg string) string {
	t.Helper()
	units := filepath.Join(dir, "units2")
	os.MkdirAll(units, 0o755)
	script := `mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && mount --bind "$UNITS" /etc/systemd/system &&
PATH="$FAKE_DIR:$PATH" "$BIN" install --config "$CFG"`
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "FAKE_DIR="+filepath.Join(dir, "fake"), "UNITS="+units, "BIN="+bin, "CFG="+cfg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(units, "shadowai-agent.service"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
