package limits

import (
	"fmt"
	"syscall"
	"time"
)

func selfUsage() (Usage, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}, fmt.Errorf("getrusage: %w", err)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// ru_maxrss is in bytes on macOS, and is the peak, not the current RSS.
	return Usage{CPU: cpu, RSS: uint64(ru.Maxrss)}, nil
}
