package procscan

import "encoding/binary"

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
