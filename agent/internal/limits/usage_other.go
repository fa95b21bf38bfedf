//go:build !linux && !darwin && !windows

package limits

import (
	"fmt"
	"runtime"
)

func selfUsage() (Usage, error) {
	return Usage{}, fmt.Errorf("measuring the agent's own CPU and memory is not supported on %s", runtime.GOOS)
}
