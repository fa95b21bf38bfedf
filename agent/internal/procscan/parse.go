package procscan

import (
	"bytes"
	"strconv"
)

// ParseStat reads the command name, parent pid and start time (clock ticks
// after boot) from a /proc/PID/stat line. The name is in parentheses and
// may itself contain spaces and parentheses, so the fields are counted from
// the last ')'.
func ParseStat(b []byte) (comm string, ppid int, start uint64, ok bool) {
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", 0, 0, false
	}
	comm = string(b[open+1 : end])
	rest := b[end+1:]
	// Fields after the name: 3 state, 4 ppid, ... 22 starttime.
	for field := 3; field <= 22; field++ {
		rest = bytes.TrimLeft(rest, " ")
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			i = len(rest)
		}
		v := rest[:i]
		rest = rest[i:]
		switch field {
		case 4:
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return "", 0, 0, false
			}
			ppid = n
		case 22:
			n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			if err != nil {
				return comm, ppid, 0, true
			}
			start = n
		}
	}
	return comm, ppid, start, true
}

// ParseStatusUID returns the real uid from a /proc/PID/status file, or ""
// when it has none.
func ParseStatusUID(b []byte) string {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if v, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
			f := bytes.Fields(v)
			if len(f) == 0 {
				return ""
			}
			if _, err := strconv.ParseUint(string(f[0]), 10, 32); err != nil {
				return ""
			}
			return string(f[0])
		}
	}
	return ""
}
