package procscan

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/agent/internal/fixture"
	"github.com/shadowai/shadowai/agent/internal/users"
	"github.com/shadowai/shadowai/signatures"
)

var host = fixture.Host()

func testCatalog(t testing.TB) *signatures.Catalog { return fixture.Catalog(t) }

func TestScanFakeProc(t *testing.T) {
	procs, st, err := NewScanner(filepath.Join(host, "proc"), users.Open(host)).Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Processes: 22, Vanished: 1, Unreadable: 2, NoExe: 1, Truncated: 1, BadEncoding: 2}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	byPID := map[int]Proc{}
	for _, p := range procs {
		byPID[p.PID] = p
	}
	for _, tc := range []struct {
		pid        int
		name, user string
		exe        string
	}{
		{100, "ollama", "ollama", "/usr/local/bin/ollama"},
		{2, "kthreadd", "root", ""},
		{220, "MainThread", "alice", "/usr/bin/node"},
		{600, "ollama", "4242", "/usr/local/bin/ollama"},
		{110, "llama-server", "bob", "/opt/\uFFFDllama/llama-server"},
	} {
		p := byPID[tc.pid]
		if p.Name != tc.name || p.User != tc.user || p.Exe != tc.exe {
			t.Errorf("pid %d: got name %q user %q exe %q, want %q %q %q", tc.pid, p.Name, p.User, p.Exe, tc.name, tc.user, tc.exe)
		}
	}
	if got := byPID[100].Start; !got.Equal(time.Unix(1764000000+10, 0)) {
		t.Errorf("start of pid 100 = %v", got)
	}
	if n := len(byPID[600].Args); n != 3 || len(byPID[600].Args[2]) != MaxCmdline-len("ollama\x00run\x00") {
		t.Errorf("huge command line: %d args", n)
	}
}

func TestMatchGolden(t *testing.T) {
	procs, _, err := NewScanner(filepath.Join(host, "proc"), users.Open(host)).Scan()
	if err != nil {
		t.Fatal(err)
	}
	obs := Match(testCatalog(t), procs, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fixture.Golden(t, "testdata/host.golden.jsonl", fixture.JSONL(obs))
}

func TestMatchRules(t *testing.T) {
	cat := testCatalog(t)
	now := time.Now()
	cursor := func(pid, ppid int, uid string, args ...string) Proc {
		return Proc{PID: pid, PPID: ppid, Name: "cursor", Exe: "/usr/share/cursor/cursor", UID: uid, Args: append([]string{"cursor"}, args...)}
	}
	for _, tc := range []struct {
		name  string
		procs []Proc
		want  []string // pid:processes of each observation
	}{
		{"electron app once", []Proc{cursor(10, 1, "1"), cursor(11, 10, "1", "--type=renderer"), cursor(12, 11, "1", "--type=gpu-process")}, []string{"10:3"}},
		{"two users two apps", []Proc{cursor(10, 1, "1"), cursor(20, 1, "2")}, []string{"10:", "20:"}},
		{"orphan helpers share a parent", []Proc{cursor(11, 5, "1", "--type=renderer"), cursor(12, 5, "1", "--type=utility")}, []string{"11:2"}},
		{"two instances of a CLI", []Proc{{PID: 30, PPID: 1, Name: "ollama", Exe: "/usr/bin/ollama"}, {PID: 31, PPID: 1, Name: "ollama", Exe: "/usr/bin/ollama"}}, []string{"30:", "31:"}},
		{"parent cycle does not loop", []Proc{cursor(40, 41, "1"), cursor(41, 40, "1")}, []string{"41:", "40:"}},
		{"look-alike", []Proc{{PID: 50, Name: "ollama-exporter", Exe: "/usr/bin/ollama-exporter"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range Match(cat, tc.procs, now) {
				got = append(got, itoa(o.PID)+":"+o.Attrs[AttrProcesses])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestReduce(t *testing.T) {
	cat := testCatalog(t)
	for _, tc := range []struct {
		p    Proc
		want string
	}{
		{Proc{Exe: "/usr/bin/node", Args: []string{"node", "--max-old-space-size=4096", "/usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js", "-p", "secret prompt"}},
			"/usr/bin/node /usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js"},
		{Proc{Exe: "/x/@anthropic-ai/claude-code/bin/claude", Args: []string{"claude", "write the plan for Project Falcon"}}, "/x/@anthropic-ai/claude-code/bin/claude"},
		{Proc{Name: "ollama", Args: []string{"ollama", "run", "llama3"}}, "ollama"},
		{Proc{Exe: "/x/@openai/codex/bin/codex", Args: []string{"codex", "app-server", "--listen", "secret"}}, "/x/@openai/codex/bin/codex app-server"},
	} {
		svc := cat.MatchProcess(tc.p.Signature())
		if svc == nil {
			t.Fatalf("%v did not match", tc.p.Args)
		}
		if got := Reduce(&tc.p, svc); got != tc.want {
			t.Errorf("Reduce(%q) = %q, want %q", tc.p.Args, got, tc.want)
		}
	}
}
