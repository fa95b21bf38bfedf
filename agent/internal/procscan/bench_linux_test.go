package procscan

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// benchProcs is how many real processes the scan benchmarks start
// (BENCH_PROCS overrides it).
func benchProcs() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_PROCS")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// startSleepers starts n real /bin/sleep processes, killed when b ends.
func startSleepers(b *testing.B, n int) {
	b.Helper()
	cmds := make([]*exec.Cmd, 0, n)
	b.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	})
	for range n {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			b.Fatalf("starting sleeper %d: %v", len(cmds), err)
		}
		cmds = append(cmds, c)
	}
}

func cpu(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScanReal scans the real /proc with at least BENCH_PROCS (1000)
// real processes running, reporting CPU per scan, and runs procps ps over
// the same process table for comparison (ps -e with the same fields: pid,
// parent, uid, start time, name, command line; ps does not read exe
// links).
func BenchmarkScanReal(b *testing.B) {
	startSleepers(b, benchProcs())
	s := NewScanner(DefaultRoot, users.Open("/"))
	cat := testCatalog(b)
	procs, _, _ := s.Scan()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpu(syscall.RUSAGE_SELF)
	for b.Loop() {
		procs, _, _ = s.Scan()
		Match(cat, procs, time.Now())
	}
	ours := (cpu(syscall.RUSAGE_SELF) - c0) / time.Duration(b.N)
	b.StopTimer()
	b.ReportMetric(float64(len(procs)), "procs")
	b.ReportMetric(float64(ours.Microseconds())/1000, "cpu-ms/scan")
	ps := psCPU(b, 5)
	if ps > 0 {
		b.ReportMetric(float64(ps.Microseconds())/1000, "ps-cpu-ms")
		b.ReportMetric(float64(ps)/float64(ours), "x-cheaper-than-ps")
	}
}

// psCPU is the mean CPU time of n runs of ps over the process table.
func psCPU(b *testing.B, n int) time.Duration {
	if _, err := exec.LookPath("ps"); err != nil {
		b.Logf("ps not installed: no comparison")
		return 0
	}
	c0 := cpu(syscall.RUSAGE_CHILDREN)
	for range n {
		c := exec.Command("ps", "-e", "-o", "pid=,ppid=,uid=,lstart=,comm=,args=")
		if err := c.Run(); err != nil {
			b.Logf("ps: %v", err)
			return 0
		}
	}
	return (cpu(syscall.RUSAGE_CHILDREN) - c0) / time.Duration(n)
}

// BenchmarkScanRealCold is BenchmarkScanReal with a new Scanner each time:
// every process read in full, as on the agent's first scan.
func BenchmarkScanRealCold(b *testing.B) {
	startSleepers(b, benchProcs())
	db := users.Open("/")
	b.ReportAllocs()
	c0 := cpu(syscall.RUSAGE_SELF)
	n := 0
	for b.Loop() {
		procs, _, _ := NewScanner(DefaultRoot, db).Scan()
		n = len(procs)
	}
	b.ReportMetric(float64(n), "procs")
	b.ReportMetric(float64((cpu(syscall.RUSAGE_SELF)-c0).Microseconds())/1000/float64(b.N), "cpu-ms/scan")
}

// BenchmarkScanFake scans the committed fake /proc (22 processes).
func BenchmarkScanFake(b *testing.B) {
	s := NewScanner(host+"/proc", users.Open(host))
	b.ReportAllocs()
	for b.Loop() {
		s.Scan()
	}
}
