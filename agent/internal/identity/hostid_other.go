//go:build !linux

package identity

import (
	"fmt"
	"runtime"
)

// osHostID has no reader on this OS yet; HostID falls back to an id kept
// in the state directory.
func osHostID() (string, error) {
	return "", fmt.Errorf("reading the machine id is not implemented on %s", runtime.GOOS)
}
