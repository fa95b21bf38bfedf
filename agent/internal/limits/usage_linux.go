package limits

import (
	"fmt"
	"os"
)

func selfUsage() (Usage, error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return Usage{}, fmt.Errorf("reading /proc/self/stat: %w", err)
	}
	statm, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return Usage{}, fmt.Errorf("reading /proc/self/statm: %w", err)
	}
	return parseProc(stat, statm, os.Getpagesize())
}
