package procscan

import (
	"context"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/users"
)

// helperEnv switches the test binary into a stand-in for an AI tool: it
// waits until its stdin closes (and, with "spawn", first starts two
// Electron-style helper children of itself).
const helperEnv = "PROCSCAN_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "spawn":
		for _, typ := range []string{"--type=renderer", "--type=gpu-process"} {
			c := exec.Command("/proc/self/exe", typ)
			c.Args[0] = os.Args[0]
			c.Env = append(os.Environ(), helperEnv+"=wait")
			c.Stdin = os.Stdin
			if err := c.Start(); err != nil {
				os.Exit(3)
			}
		}
	}
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
	}
	os.Exit(0)
}

// tool is a running stand-in process.
type tool struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startTool runs a copy of the test binary installed at path with args,
// as uid when it is not -1.
func startTool(t *testing.T, path string, args []string, uid int, mode string) *tool {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(path, args[1:]...)
	c.Args[0] = args[0]
	c.Env = append(os.Environ(), helperEnv+"="+mode)
	if uid >= 0 {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	tl := &tool{cmd: c, stdin: in}
	t.Cleanup(func() { in.Close(); c.Wait() })
	return tl
}

// TestRealProcesses scans the real /proc while stand-ins for Claude Code,
// Gemini CLI (run by nobody) and an Electron app with two helpers run.
func TestRealProcesses(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // nobody must reach its executable
	}
	nobody := -1
	if os.Getuid() == 0 {
		nobody = 65534
	}
	claude := startTool(t, filepath.Join(dir, "lib/node_modules/@anthropic-ai/claude-code/bin/claude"),
		[]string{"claude", "write the launch plan for Project Falcon"}, -1, "wait")
	script := filepath.Join(dir, "lib/node_modules/@google/gemini-cli/bundle/gemini.js")
	gemini := startTool(t, filepath.Join(dir, "bin/node"), []string{"node", script, "-p", "summarise salaries.xlsx"}, nobody, "wait")
	cursor := startTool(t, filepath.Join(dir, "usr/share/cursor/cursor"), []string{"cursor"}, -1, "spawn")

	cat := testCatalog(t)
	s := NewScanner(DefaultRoot, users.Open("/"))
	var obs map[string]observe.Observation
	deadline := time.Now().Add(20 * time.Second)
	for {
		procs, _, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		obs = map[string]observe.Observation{}
		for _, o := range Match(cat, procs, time.Now()) {
			if strings.HasPrefix(o.Exe, dir) {
				obs[o.Service.ID] = o
			}
		}
		if obs["cursor"].Attrs[AttrProcesses] == "3" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	me, _ := user.Current()
	wantGeminiUser := me.Username
	if nobody >= 0 {
		wantGeminiUser = "nobody"
	}
	for _, tc := range []struct {
		svc, user string
		pid       int
	}{
		{"anthropic-claude-code", me.Username, claude.cmd.Process.Pid},
		{"google-gemini-cli", wantGeminiUser, gemini.cmd.Process.Pid},
		{"cursor", me.Username, cursor.cmd.Process.Pid},
	} {
		o, ok := obs[tc.svc]
		if !ok || o.PID != tc.pid || o.User != tc.user {
			t.Errorf("%s: got pid %d user %q (found %v), want pid %d user %q", tc.svc, o.PID, o.User, ok, tc.pid, tc.user)
		}
		if c := o.Attrs[AttrCmdline]; strings.Contains(c, "Falcon") || strings.Contains(c, "salaries") {
			t.Errorf("%s: command line not reduced: %q", tc.svc, c)
		}
		if o.Attrs[AttrStarted] == "" {
			t.Errorf("%s: no start time", tc.svc)
		}
	}
	if got := obs["cursor"].Attrs[AttrProcesses]; got != "3" {
		t.Errorf("electron stand-in: processes = %q, want 3 (one app, two helpers)", got)
	}
	if got := obs["google-gemini-cli"].Attrs[AttrCmdline]; got != filepath.Join(dir, "bin/node")+" "+script {
		t.Errorf("gemini command line %q", got)
	}
}

// TestWatchExecs: a tool started while the connector is watched is seen
// at once, its helpers are not.
func TestWatchExecs(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the process connector needs root")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pids := make(chan int, 1024)
	errc := make(chan error, 1)
	go func() { errc <- WatchExecs(ctx, func(pid int) { pids <- pid }) }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-errc:
		t.Skipf("process connector unavailable here: %v", err)
	default:
	}
	dir := t.TempDir()
	cursor := startTool(t, filepath.Join(dir, "usr/share/cursor/cursor"), []string{"cursor"}, -1, "spawn")
	s := NewScanner(DefaultRoot, users.Open("/"))
	cat := testCatalog(t)
	var reported []int
	deadline := time.After(10 * time.Second)
	for len(reported) == 0 {
		select {
		case pid := <-pids:
			p, err := s.Read(pid)
			if err != nil || !strings.HasPrefix(p.Exe, dir) {
				continue
			}
			var parent *Proc
			if pp, err := s.Read(p.PPID); err == nil {
				parent = &pp
			}
			if o, ok := MatchNew(cat, p, parent, time.Now()); ok {
				reported = append(reported, o.PID)
			}
		case <-deadline:
			t.Fatal("no exec event for the started tool")
		}
	}
	time.Sleep(300 * time.Millisecond) // let the helpers start and be (not) reported
	for len(pids) > 0 {
		pid := <-pids
		if p, err := s.Read(pid); err == nil && strings.HasPrefix(p.Exe, dir) {
			pp, _ := s.Read(p.PPID)
			if _, ok := MatchNew(cat, p, &pp, time.Now()); ok {
				reported = append(reported, pid)
			}
		}
	}
	if len(reported) != 1 || reported[0] != cursor.cmd.Process.Pid {
		t.Errorf("reported %v, want only the app's main process %d", reported, cursor.cmd.Process.Pid)
	}
}
