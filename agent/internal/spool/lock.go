package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lockFile is held (exclusively, by the OS) by the one process using a
// spool. Two agents on one spool would reserve the same sequence numbers,
// and the collector would take the second batch for a re-send of the
// first: a silent loss this lock prevents.
const lockFile = "lock"

// errLocked is returned by the per-OS lock when another process holds it.
var errLocked = errors.New("locked")

// lock takes the spool's lock and writes our pid into it for the message
// another process gets.
func lock(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening spool lock %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("spool %s is in use by another agent process%s: stop it first (`shadowai-agent stop` for the service) or use another state directory", dir, holder(path))
		}
		return nil, fmt.Errorf("locking spool %s: %w", dir, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

func holder(path string) string {
	b, err := os.ReadFile(path)
	if pid := strings.TrimSpace(string(b)); err == nil && pid != "" {
		return " (pid " + pid + ")"
	}
	return ""
}

// Close releases the spool's lock.
func (s *Spool) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close()
	s.lock = nil
	return err
}
