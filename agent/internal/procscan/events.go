package procscan

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// KernelAtLeast says whether a kernel release ("6.18.44-fc-v657") is at
// least major.minor.
func KernelAtLeast(release string, major, minor int) bool {
	f := strings.SplitN(release, ".", 3)
	if len(f) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(f[0])
	mi, err2 := strconv.Atoi(strings.TrimRightFunc(f[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// ParseProcEvents reads the netlink messages of the process connector in
// b and calls exec with the process (thread group) id of every exec event.
// Anything else, truncated or not from the process connector, is skipped.
func ParseProcEvents(b []byte, exec func(pid int)) {
	for len(b) >= nlHdrLen {
		n := int(binary.NativeEndian.Uint32(b))
		if n < nlHdrLen || n > len(b) {
			return
		}
		msg := b[nlHdrLen:n]
		b = b[min(len(b), (n+3)&^3):]
		if len(msg) < cnMsgLen || binary.NativeEndian.Uint32(msg) != cnIdxProc || binary.NativeEndian.Uint32(msg[4:]) != cnValProc {
			continue
		}
		ev := msg[cnMsgLen:]
		// struct proc_event: what, cpu, timestamp_ns, then for exec
		// process_pid and process_tgid.
		if len(ev) < 24 || binary.NativeEndian.Uint32(ev) != procEventExec {
			continue
		}
		if tgid := int(binary.NativeEndian.Uint32(ev[20:])); tgid > 0 {
			exec(tgid)
		}
	}
}
