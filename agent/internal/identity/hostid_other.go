//go:build !linux && !darwin && !windows

package identity

import (
	"fmt"
	"runtime"
)

// osHostID has no reader on this OS; HostID falls back to an id kept in
// the state directory.
func osHostID() (string, error) {
	return "", fmt.Errorf("reading the machine id is not supported on %s", runtime.GOOS)
}
