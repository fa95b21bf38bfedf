//go:build !linux && !windows && !darwin

package procscan

import (
	"fmt"
	"runtime"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// DefaultRoot is unused on this OS.
const DefaultRoot = ""

// Scanner is not implemented on this OS.
type Scanner struct{}

// NewScanner returns a Scanner whose methods fail on this OS.
func NewScanner(string, *users.DB) *Scanner { return &Scanner{} }

// Scan is not implemented on this OS.
func Scan(root string) ([]Proc, Stats, error) { return NewScanner(root, nil).Scan() }

// Scan is not implemented on this OS.
func (*Scanner) Scan() ([]Proc, Stats, error) { return nil, Stats{}, errUnsupported }

// Read is not implemented on this OS.
func (*Scanner) Read(int) (Proc, error) { return Proc{}, errUnsupported }

var errUnsupported = fmt.Errorf("process scanning is not implemented on %s", runtime.GOOS)
