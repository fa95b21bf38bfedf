//go:build !linux

package procscan

import (
	"context"
	"fmt"
	"runtime"
)

// Sizes of the Linux process connector messages, for ParseProcEvents.
const (
	cnIdxProc     = 1
	cnValProc     = 1
	procEventExec = 0x2
	cnMsgLen      = 20
	nlHdrLen      = 16
)

// WatchExecs is not available on this OS: the periodic scan finds new
// processes.
func WatchExecs(context.Context, func(pid int)) error {
	return fmt.Errorf("new-process events are not implemented on %s; processes are found by the periodic scan", runtime.GOOS)
}
