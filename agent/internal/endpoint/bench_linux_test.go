package endpoint

import (
	"syscall"
	"testing"
	"time"

	"github.com/shadowai/shadowai/signatures"
)

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdleCost runs the endpoint sensors against this host as the
// agent does at idle and reports their CPU cost per run and as a share of
// one core at the default intervals (processes and listeners every 30 s,
// inventory daily).
func BenchmarkIdleCost(b *testing.B) {
	cat, err := signatures.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	s := New(cat, Options{})
	s.Processes(time.Now()) // the first scan reads every process in full
	for _, tc := range []struct {
		name     string
		run      func()
		interval time.Duration
	}{
		{"processes+listeners", func() { s.Processes(time.Now()) }, DefaultProcessInterval},
		{"inventory", func() { s.Inventory(time.Now()) }, DefaultInventoryInterval},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuSelf()
			for b.Loop() {
				tc.run()
			}
			per := (cpuSelf() - c0) / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "cpu-ms/run")
			b.ReportMetric(100*float64(per)/float64(tc.interval), "%core-at-default-interval")
		})
	}
}
