package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Paths of the binaries built once for all tests.
var agentBin, collectorBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shadowai-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	agentBin, collectorBin = filepath.Join(dir, "shadowai-agent"), filepath.Join(dir, "shadowai-collector")
	for bin, pkg := range map[string]string{agentBin: "../../../agent/cmd/shadowai-agent", collectorBin: "../../cmd/shadowai-collector"} {
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a finished command printed.
type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", bin, err)
	}
	return r
}

func mustRun(t *testing.T, bin string, args ...string) result {
	t.Helper()
	r := run(t, bin, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\nstdout: %s\nstderr: %s", filepath.Base(bin), strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// collector is a running shadowai-collector.
type collector struct {
	t    *testing.T
	data string
	addr string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// startCollector starts the collector on listen ("127.0.0.1:0" for any
// free port) and waits until it is listening.
func startCollector(t *testing.T, data, listen string) *collector {
	t.Helper()
	os.Remove(filepath.Join(data, "collector.addr"))
	c := &collector{t: t, data: data, log: &bytes.Buffer{}}
	c.cmd = exec.Command(collectorBin, "serve", "--data", data, "--listen", listen)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(data, "collector.addr")); err == nil {
			c.addr = strings.TrimSpace(string(b))
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("collector did not start listening:\n%s", c.log)
	return nil
}

func (c *collector) stop() { stopProcess(c.cmd) }

// stopProcess interrupts a started binary and waits for it to exit,
// killing it after 15 s.
func stopProcess(cmd *exec.Cmd) {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (c *collector) token() string {
	c.t.Helper()
	out := mustRun(c.t, collectorBin, "token", "create", "--data", c.data).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

type inventoryRow struct {
	Service, Vendor, Category string
	Hosts, Users, Count       uint64
	FirstSeen                 string `json:"first_seen"`
	LastSeen                  string `json:"last_seen"`
}

func inventory(t *testing.T, data string) (rows []inventoryRow, total uint64) {
	t.Helper()
	out := mustRun(t, collectorBin, "inventory", "--data", data, "--format", "json").stdout
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("inventory json: %v\n%s", err, out)
	}
	for _, r := range rows {
		total += r.Count
	}
	return rows, total
}

// aiObservations counts the AI observations `scan --pcap` reports.
func aiObservations(t *testing.T, pcap string) (n uint64, services map[string]uint64) {
	t.Helper()
	out := mustRun(t, agentBin, "scan", "--pcap", pcap, "--format", "jsonl").stdout
	services = map[string]uint64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var rec struct{ Service string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("scan output is not jsonl: %v: %s", err, sc.Text())
		}
		if rec.Service != "" {
			n++
			services[rec.Service]++
		}
	}
	return n, services
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func oneLine(t *testing.T, what string, r result, wantCode int, wantText string) {
	t.Helper()
	if r.code != wantCode {
		t.Errorf("%s: exit %d, want %d (stderr %q)", what, r.code, wantCode, r.stderr)
	}
	msg := strings.TrimSpace(r.stderr)
	if strings.Count(msg, "\n") > 0 && wantCode != 0 {
		// Log lines may precede the final error; the error itself is one line.
		msg = msg[strings.LastIndex(msg, "\n")+1:]
	}
	if !strings.Contains(msg, wantText) {
		t.Errorf("%s: error %q does not say %q", what, msg, wantText)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("%s: panicked:\n%s", what, r.stderr)
	}
}
