package attribute

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/privacy"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func copyHost(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", "../../testdata/host/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the fake host: %v %s", err, out)
	}
	return dir
}

func flow(transport, src, dst string, t time.Time) *observe.Observation {
	s, d := netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)
	return &observe.Observation{Time: t, Source: observe.TLS, Transport: transport,
		SrcIP: s.Addr(), SrcPort: s.Port(), DstIP: d.Addr(), DstPort: d.Port()}
}

func TestFillFakeProc(t *testing.T) {
	clk := &clock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	a, err := New(Options{ProcRoot: filepath.Join(copyHost(t), "proc"), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	now := clk.t
	for _, tc := range []struct {
		name string
		o    *observe.Observation
		want string // pid/process/user/exe, or "" for unknown
	}{
		{"tcp client", flow("tcp", "10.0.0.5:50000", "160.79.104.10:443", now),
			"200/claude/alice//home/alice/.npm-global/lib/node_modules/@anthropic-ai/claude-code/bin/claude"},
		{"udp query", flow("udp", "10.0.0.5:40000", "10.0.0.1:53", now), "210/node/bob//usr/bin/node"},
		{"udp response: local end is the destination", flow("udp", "10.0.0.1:53", "10.0.0.5:40000", now), "210/node/bob//usr/bin/node"},
		{"v4-mapped source", flow("tcp", "[::ffff:10.0.0.5]:50000", "160.79.104.10:443", now), "200/claude/alice//home/alice/.npm-global/lib/node_modules/@anthropic-ai/claude-code/bin/claude"},
		{"wrong transport", flow("udp", "10.0.0.5:50000", "160.79.104.10:443", now), ""},
		{"socket without owner", flow("tcp", "[::1]:41000", "[::1]:11434", now), ""},
		{"not this host", flow("tcp", "192.168.1.7:5555", "104.18.32.47:443", now), ""},
		{"old capture", flow("tcp", "10.0.0.5:50000", "160.79.104.10:443", now.Add(-24*time.Hour)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.Fill(tc.o)
			got := ""
			if tc.o.PID != 0 {
				got = strings.Join([]string{strconv.Itoa(tc.o.PID), tc.o.Process, tc.o.User, tc.o.Exe}, "/")
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	st := a.Stats()
	if st.Lookups != 8 || st.Hits != 4 || st.NotLocal != 1 || st.Refreshes != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestFillFromCacheAfterExit(t *testing.T) {
	root := copyHost(t)
	clk := &clock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	a, err := New(Options{ProcRoot: filepath.Join(root, "proc"), Now: clk.now, Privacy: privacy.New(privacy.Options{HashUsers: true})})
	if err != nil {
		t.Fatal(err)
	}
	a.Fill(flow("udp", "10.0.0.5:40000", "10.0.0.1:53", clk.t)) // first refresh sees every socket
	// Claude Code exits: its process and its socket disappear.
	if err := os.RemoveAll(filepath.Join(root, "proc/200")); err != nil {
		t.Fatal(err)
	}
	removeLine(t, filepath.Join(root, "proc/net/tcp"), ":C350 ")
	clk.t = clk.t.Add(time.Second)
	a.Fill(flow("tcp", "10.0.0.5:1", "10.0.0.9:2", clk.t)) // a miss re-reads the table
	o := flow("tcp", "10.0.0.5:50000", "160.79.104.10:443", clk.t.Add(-500*time.Millisecond))
	if !a.Fill(o) || o.PID != 200 || o.User != privacy.New(privacy.Options{HashUsers: true}).User("alice") ||
		o.Exe != "~/.npm-global/lib/node_modules/@anthropic-ai/claude-code/bin/claude" {
		t.Fatalf("exited process not attributed from the cache: %+v", o)
	}
	if st := a.Stats(); st.FromCache != 1 {
		t.Errorf("stats %+v", st)
	}
	// Past the slack the cache no longer vouches for the socket.
	clk.t = clk.t.Add(2 * DefaultSlack)
	o = flow("tcp", "10.0.0.5:50000", "160.79.104.10:443", clk.t)
	if a.Fill(o) {
		t.Errorf("attributed a flow long after its socket closed: %+v", o)
	}
}

func removeLine(t *testing.T, path, substr string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, substr) {
			keep = append(keep, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(keep, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
