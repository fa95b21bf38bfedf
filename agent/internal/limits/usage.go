// Package limits keeps the agent cheap: it measures the agent's own CPU
// time and resident memory, and when either stays over its budget it asks
// for the costliest sensor to be shed, instead of letting the agent grow
// until a watchdog kills it and the service manager restarts it in a loop.
package limits

import "time"

// Usage is the process's own consumption so far.
type Usage struct {
	// CPU is user plus system time since the process started.
	CPU time.Duration
	// RSS is resident memory in bytes. On macOS, where current RSS needs
	// cgo, it is the peak RSS, an upper bound.
	RSS uint64
}

// Self measures this process. The per-OS reader is in usage_<goos>.go.
func Self() (Usage, error) { return selfUsage() }
