package endpoint

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/fixture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// listenEnv makes the test binary a stand-in runtime listening on the
// address it names until its stdin closes.
const listenEnv = "ENDPOINT_TEST_LISTEN"

func TestMain(m *testing.M) {
	addr := os.Getenv(listenEnv)
	if addr == "" {
		os.Exit(m.Run())
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		os.Exit(3)
	}
	defer ln.Close()
	io.Copy(io.Discard, os.Stdin)
}

// TestRealListener: a process named llama-server listening on this host
// is reported as a llama.cpp listener with its pid, found through the
// kernel's listener dump.
func TestRealListener(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "llama-server")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	probe, err := net.Listen("tcp", "127.0.0.1:0") // a free port to listen on
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	c := exec.Command(exe)
	c.Env = append(os.Environ(), listenEnv+"="+addr)
	in, _ := c.StdinPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); c.Wait() }()

	s := New(fixture.Catalog(t), Options{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		obs, _, err := s.Processes(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			if o.Source == observe.Listener && o.PID == c.Process.Pid {
				if o.Service.ID != "llama-cpp" || o.Attrs["addr"] != addr || o.Attrs["default_port"] != "false" {
					t.Errorf("listener %+v", o)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listener sighting for pid %d on %s", c.Process.Pid, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
