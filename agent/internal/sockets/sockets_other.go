//go:build !linux && !windows && !darwin

package sockets

import (
	"fmt"
	"runtime"
)

// Reader is not implemented on this OS.
type Reader struct{}

// NewReader fails: reading the socket table is not implemented on this OS.
func NewReader(string) (*Reader, error) {
	return nil, fmt.Errorf("reading the socket table is not implemented on %s", runtime.GOOS)
}

// Snapshot is never reached: NewReader fails.
func (r *Reader) Snapshot() ([]Socket, Stats, error) {
	return nil, Stats{}, fmt.Errorf("reading the socket table is not implemented on %s", runtime.GOOS)
}

// SnapshotFor is never reached: NewReader fails.
func (r *Reader) SnapshotFor(func(*Socket) bool) ([]Socket, Stats, error) { return r.Snapshot() }
