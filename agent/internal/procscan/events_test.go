package procscan

import (
	"encoding/binary"
	"slices"
	"testing"
)

// procEvent builds one connector message as the kernel sends it.
func procEvent(what uint32, pid int) []byte {
	b := make([]byte, nlHdrLen+cnMsgLen+40)
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint32(b[16:], cnIdxProc)
	binary.NativeEndian.PutUint32(b[20:], cnValProc)
	ev := b[nlHdrLen+cnMsgLen:]
	binary.NativeEndian.PutUint32(ev, what)
	binary.NativeEndian.PutUint32(ev[16:], uint32(pid))
	binary.NativeEndian.PutUint32(ev[20:], uint32(pid))
	return b
}

func TestParseProcEvents(t *testing.T) {
	b := slices.Concat(procEvent(1, 10), procEvent(procEventExec, 42), procEvent(0x80000000, 43), procEvent(procEventExec, 44)[:30])
	var got []int
	ParseProcEvents(b, func(pid int) { got = append(got, pid) })
	if !slices.Equal(got, []int{42}) {
		t.Errorf("exec pids %v, want [42]", got)
	}
}

func TestKernelAtLeast(t *testing.T) {
	for rel, want := range map[string]bool{"6.18.44-fc-v657": true, "6.6.0": true, "6.5.13": false, "5.15.0-91-generic": false, "7.0": true, "x": false} {
		if got := KernelAtLeast(rel, 6, 6); got != want {
			t.Errorf("KernelAtLeast(%q) = %v", rel, got)
		}
	}
}

func FuzzParseProcEvents(f *testing.F) {
	f.Add(procEvent(procEventExec, 42))
	f.Add(slices.Concat(procEvent(1, 10), procEvent(procEventExec, 7)))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseProcEvents(b, func(pid int) {
			if pid <= 0 {
				t.Errorf("pid %d", pid)
			}
		})
	})
}
