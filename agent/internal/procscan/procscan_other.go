//go:build !linux

package procscan

import (
	"fmt"
	"runtime"
)

// DefaultRoot is unused outside Linux.
const DefaultRoot = ""

// Scan is not implemented on this OS yet.
func Scan(root string) ([]Proc, Stats, error) {
	return nil, Stats{}, fmt.Errorf("process scanning is not implemented on %s yet", runtime.GOOS)
}
