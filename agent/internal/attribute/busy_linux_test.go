package attribute

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

// clientEnv switches the test binary into a client that connects to
// $ATTR_TEST_ADDR again and again, printing each connection's local port.
const clientEnv = "ATTR_TEST_CLIENT"

func TestMain(m *testing.M) {
	if os.Getenv(clientEnv) == "" {
		os.Exit(m.Run())
	}
	n, _ := strconv.Atoi(os.Getenv("ATTR_TEST_CONNS"))
	hold, _ := time.ParseDuration(os.Getenv("ATTR_TEST_HOLD"))
	gap, _ := time.ParseDuration(os.Getenv("ATTR_TEST_GAP"))
	for range n {
		time.Sleep(gap)
		c, err := net.Dial("tcp", os.Getenv("ATTR_TEST_ADDR"))
		if err != nil {
			os.Exit(3)
		}
		fmt.Println(c.LocalAddr().(*net.TCPAddr).Port)
		time.Sleep(hold)
		c.Close()
	}
	os.Exit(0)
}

// busyRun is one measurement on a busy host.
type busyRun struct {
	lookups, right, wrong, unknown int
	cpu                            time.Duration
	inFill                         time.Duration // wall time inside Fill
	stats                          Stats
}

// runBusy starts clients processes that each open conns short-lived
// connections held for hold, with sleepers idle processes around, and
// attributes every connection the moment its client reports it (as live
// capture would on the ClientHello).
func runBusy(t testing.TB, clients, conns, sleepers int, hold, gap time.Duration) busyRun {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	for range sleepers {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { c.Process.Kill(); c.Wait() }()
	}
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	dst := netip.MustParseAddrPort(ln.Addr().String())
	// The agent's attributor is warm: its first full read of the table
	// happens at start, not on the first client's packet.
	a.Fill(&observe.Observation{Time: time.Now(), Transport: "tcp", SrcIP: dst.Addr(), SrcPort: 1, DstIP: dst.Addr(), DstPort: 2})
	var mu sync.Mutex
	var r busyRun
	var wg sync.WaitGroup
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for range clients {
		c := exec.Command(self)
		c.Env = append(os.Environ(), clientEnv+"=1", "ATTR_TEST_ADDR="+ln.Addr().String(),
			"ATTR_TEST_CONNS="+strconv.Itoa(conns), "ATTR_TEST_HOLD="+hold.String(), "ATTR_TEST_GAP="+gap.String())
		out, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				port, _ := strconv.Atoi(strings.TrimSpace(sc.Text()))
				o := &observe.Observation{Time: time.Now(), Source: observe.TLS, Transport: "tcp",
					SrcIP: dst.Addr(), SrcPort: uint16(port), DstIP: dst.Addr(), DstPort: dst.Port()}
				t0 := time.Now()
				a.Fill(o)
				d := time.Since(t0)
				mu.Lock()
				r.inFill += d
				r.lookups++
				switch o.PID {
				case 0:
					r.unknown++
				case c.Process.Pid:
					r.right++
				default:
					r.wrong++
				}
				mu.Unlock()
			}
			c.Wait()
		}()
	}
	wg.Wait()
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	r.cpu = time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	r.stats = a.Stats()
	return r
}

// TestAttributionBusy: many processes making short-lived connections are
// each credited to the right pid, never to another one.
func TestAttributionBusy(t *testing.T) {
	r := runBusy(t, 8, 5, 0, 300*time.Millisecond, 0)
	if r.wrong != 0 {
		t.Errorf("%d of %d connections credited to the wrong process", r.wrong, r.lookups)
	}
	if r.right == 0 {
		t.Errorf("no connection attributed: %+v", r)
	}
	t.Logf("attributed %d of %d connections (%d unknown, %d wrong)", r.right, r.lookups, r.unknown, r.wrong)
}

// BenchmarkAttributionBusy measures the attribution hit rate with 50
// client processes among 1000 idle ones (BENCH_PROCS), each opening
// connections held for hold with gap between them: about 50 new
// connections a second, then back to back (about 500 and 5000 a second).
func BenchmarkAttributionBusy(b *testing.B) {
	sleepers := 1000
	if n, err := strconv.Atoi(os.Getenv("BENCH_PROCS")); err == nil {
		sleepers = n
	}
	for _, tc := range []struct {
		conns     int
		hold, gap time.Duration
	}{
		{10, time.Second, 0},
		{20, 100 * time.Millisecond, 0},
		{20, 10 * time.Millisecond, 0},
	} {
		b.Run(fmt.Sprintf("hold=%v", tc.hold), func(b *testing.B) {
			var r busyRun
			for b.Loop() {
				r = runBusy(b, 50, tc.conns, sleepers, tc.hold, tc.gap)
			}
			b.ReportMetric(100*float64(r.right)/float64(r.lookups), "%hit")
			b.ReportMetric(float64(r.wrong), "wrong")
			b.ReportMetric(float64(r.stats.FromCache), "from-cache")
			b.ReportMetric(float64(r.stats.Refreshes), "refreshes")
			b.ReportMetric(float64(r.stats.Found), "found-by-diag")
			b.ReportMetric(float64(r.inFill.Microseconds())/1000/float64(r.lookups), "fill-ms/lookup")
			b.ReportMetric(float64(r.cpu.Microseconds())/1000/float64(r.lookups), "test-cpu-ms/conn")
		})
	}
}
