package limits

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, 100 on every Linux architecture the agent ships.
const clockTick = 100

// parseProc reads utime and stime (fields 14 and 15 of proc_pid_stat(5),
// counted after the parenthesised command name, which may hold spaces) and
// resident pages (field 2 of statm).
func parseProc(stat, statm []byte, pageSize int) (Usage, error) {
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return Usage{}, fmt.Errorf("/proc/self/stat has no command name")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return Usage{}, fmt.Errorf("/proc/self/stat has %d fields after the name, want at least 13", len(f))
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	m := strings.Fields(string(statm))
	if err1 != nil || err2 != nil || len(m) < 2 {
		return Usage{}, fmt.Errorf("/proc/self/stat or statm is not in the expected format")
	}
	pages, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return Usage{}, fmt.Errorf("/proc/self/statm resident field: %w", err)
	}
	return Usage{CPU: time.Duration(utime+stime) * time.Second / clockTick, RSS: pages * uint64(pageSize)}, nil
}
