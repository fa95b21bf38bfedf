//go:build !linux && !windows && !darwin

package procscan

import (
	"fmt"
	"runtime"
)

// DefaultRoot is unused on this OS.
const DefaultRoot = ""

// Scan is not implemented on this OS.
func Scan(root string) ([]Proc, Stats, error) {
	return nil, Stats{}, fmt.Errorf("process scanning is not implemented on %s", runtime.GOOS)
}
