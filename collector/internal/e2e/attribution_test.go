package e2e

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// TestAttributionInNetns runs a real TLS client, as user nobody, against a
// local sink inside a private network namespace while tcpdump records it;
// the agent, in the same namespace, must name the client's pid and user in
// the sighting it prints (scan --pcap) and in the one the collector stores
// (run --pcap).
func TestAttributionInNetns(t *testing.T) {
	ns := netns(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	sink(t, ns, dir)
	pcap := filepath.Join(dir, "client.pcap")
	capture(t, ns, pcap)
	pid := startClient(t, ns, "chatgpt.com")

	rec := waitForSighting(t, ns, pcap, "openai-chatgpt")
	if rec.PID != pid || rec.User != "nobody" || rec.Process != "openssl" {
		t.Errorf("scan --pcap sighting: pid %d user %q process %q, want pid %d user nobody process openssl", rec.PID, rec.User, rec.Process, pid)
	}

	c := startCollectorIn(t, ns, filepath.Join(dir, "collector"))
	state := filepath.Join(dir, "agent")
	mustRunIn(t, ns, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
	mustRunIn(t, ns, agentBin, "run", "--state", state, "--pcap", pcap)
	var user, process string
	var gotPID int
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(c.data, "shadowai.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT user, pid, process FROM sightings WHERE service = 'openai-chatgpt' AND source = 'tls'`).Scan(&user, &gotPID, &process)
	if err != nil || user != "nobody" || gotPID != pid || process != "openssl" {
		t.Errorf("stored sighting: user %q pid %d process %q (%v), want nobody %d openssl", user, gotPID, process, err, pid)
	}
}

// TestLiveAttributionInNetns: the agent captures live on loopback
// (scan --iface lo) while a real client, as nobody, connects; the
// sighting names the client's pid and user.
func TestLiveAttributionInNetns(t *testing.T) {
	ns := netns(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	sink(t, ns, dir)
	out := &syncBuffer{}
	scan := inNS(ns, agentBin, "scan", "--iface", "lo", "--duration", "6s", "--format", "jsonl")
	scan.Stdout, scan.Stderr = out, io.Discard
	if err := scan.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the capture socket is open
	pid := startClient(t, ns, "claude.ai")
	if err := scan.Wait(); err != nil {
		t.Fatalf("scan --iface: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var s sighting
		if json.Unmarshal(sc.Bytes(), &s) == nil && s.Service == "anthropic-claude" {
			if s.PID != pid || s.User != "nobody" || s.Process != "openssl" {
				t.Errorf("live sighting: pid %d user %q process %q, want %d nobody openssl", s.PID, s.User, s.Process, pid)
			}
			return
		}
	}
	t.Errorf("no claude.ai sighting from live capture:\n%s", out)
}

// startClient connects openssl s_client, as nobody, to the sink with the
// given server name and keeps it connected until the test ends; it
// returns the client's pid (ip netns exec and setpriv exec, so the pid is
// openssl's).
func startClient(t *testing.T, ns, sni string) int {
	t.Helper()
	client := inNS(ns, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"openssl", "s_client", "-connect", "127.0.0.1:443", "-servername", sni, "-quiet")
	stdin, _ := client.StdinPipe()
	client.Stdout, client.Stderr = io.Discard, io.Discard
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); client.Process.Kill(); client.Wait() })
	return client.Process.Pid
}

// netns creates a network namespace with loopback up, removed at the end.
func netns(t *testing.T) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	for _, tool := range []string{"ip", "ss", "tcpdump", "openssl", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	ns := fmt.Sprintf("shadowai-e2e-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := inNS(ns, "ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	return ns
}

func inNS(ns, bin string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
}

func mustRunIn(t *testing.T, ns, bin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	c := inNS(ns, bin, args...)
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(bin), strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// background starts a long-running command in ns, stopped at the end.
func background(t *testing.T, c *exec.Cmd) *syncBuffer {
	t.Helper()
	log := &syncBuffer{}
	c.Stdout, c.Stderr = log, log
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(c) })
	return log
}

func sink(t *testing.T, ns, dir string) {
	t.Helper()
	key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	if out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-days", "1", "-subj", "/CN=sink", "-keyout", key, "-out", cert).CombinedOutput(); err != nil {
		t.Fatalf("making the sink's certificate: %v %s", err, out)
	}
	// -www: the sink waits for a request, so the connection stays open.
	background(t, inNS(ns, "openssl", "s_server", "-quiet", "-www", "-accept", "443", "-cert", cert, "-key", key))
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := inNS(ns, "ss", "-Hltn", "sport = :443").Output()
		if strings.Contains(string(out), "LISTEN") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the TLS sink did not start listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func capture(t *testing.T, ns, pcap string) {
	t.Helper()
	log := background(t, inNS(ns, "tcpdump", "-i", "lo", "-U", "-w", pcap, "tcp port 443"))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "listening on") {
		if time.Now().After(deadline) {
			t.Fatalf("tcpdump did not start: %s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type sighting struct {
	Service, User, Process string
	PID                    int
}

// waitForSighting scans the capture inside ns until it holds a sighting
// of service.
func waitForSighting(t *testing.T, ns, pcap, service string) sighting {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := mustRunIn(t, ns, agentBin, "scan", "--pcap", pcap, "--format", "jsonl")
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var s sighting
			if json.Unmarshal(sc.Bytes(), &s) == nil && s.Service == service {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s sighting in the capture:\n%s", service, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startCollectorIn starts the collector inside ns on a free port.
func startCollectorIn(t *testing.T, ns, data string) *collector {
	t.Helper()
	c := &collector{t: t, data: data}
	c.cmd = inNS(ns, collectorBin, "serve", "--data", data, "--listen", "127.0.0.1:0")
	log := background(t, c.cmd)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(data, "collector.addr")); err == nil {
			c.addr = strings.TrimSpace(string(b))
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("collector did not start listening:\n%s", log)
	return nil
}
