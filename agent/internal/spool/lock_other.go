//go:build !unix && !windows

package spool

import (
	"fmt"
	"os"
	"runtime"
)

func tryLock(*os.File) error {
	return fmt.Errorf("locking files is not supported on %s", runtime.GOOS)
}
