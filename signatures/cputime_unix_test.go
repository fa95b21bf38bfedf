//go:build unix

package signatures

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time this process has used. Benchmarks
// divide by it, not by wall time, to report a per-core rate that holds on
// a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
