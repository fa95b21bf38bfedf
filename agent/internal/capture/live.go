package capture

import (
	"errors"
	"time"

	"golang.org/x/net/bpf"
)

// LiveConfig configures a live capture on one interface.
type LiveConfig struct {
	// Interface is the interface to capture on; "" captures on all of
	// them where the system allows it (Linux).
	Interface string
	// NoFilter passes every packet to user space instead of applying the
	// built-in kernel filter (FilterExpr).
	NoFilter bool
	// BufferMiB is the kernel ring size; 0 means DefaultBufferMiB.
	BufferMiB int
	// PollTimeout bounds how long Next waits before returning
	// ErrTimeout, so callers can notice cancellation.
	PollTimeout time.Duration
}

// DefaultBufferMiB sizes the kernel ring: 16 MiB holds about 80 ms of
// 200k packets per second of full-size frames, in case the reader stalls.
const DefaultBufferMiB = 16

// ErrTimeout is returned by a live source's Next when no packet arrived
// within the poll timeout.
var ErrTimeout = errors.New("capture: no packet within the poll timeout")

// LiveStats are the kernel's counters for a live source.
type LiveStats struct {
	// Received counts packets the kernel passed the filter and queued.
	Received uint64 `json:"kernel_received"`
	// Drops counts packets the kernel dropped because the ring was full.
	Drops uint64 `json:"kernel_drops"`
}

// LiveSource is a live capture. Next's packet data is valid until the
// next call to Next.
type LiveSource interface {
	Next() (Packet, error)
	Stats() (LiveStats, error)
	Close() error
}

// OpenLive starts capturing on cfg.Interface. See live_<os>.go for what
// each system supports.
func OpenLive(cfg LiveConfig) (LiveSource, error) {
	if cfg.BufferMiB <= 0 {
		cfg.BufferMiB = DefaultBufferMiB
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 200 * time.Millisecond
	}
	return openLive(cfg)
}

// FilterProgram returns the kernel filter (FilterExpr compiled for raw IP
// frames), for tests that run it on captures.
func FilterProgram() []bpf.RawInstruction { return append([]bpf.RawInstruction(nil), filterProgram...) }
