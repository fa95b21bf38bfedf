//go:build linux || darwin

package capture

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/sys/unix"
)

// mmapDropEvery is how far the reader runs ahead before it hands the
// pages behind it back: memory stays bounded whatever the file size.
const mmapDropEvery = 8 << 20

// maxRecord rejects record lengths no capture writes (a corrupt file).
const maxRecord = 1 << 18

// mmapPcap reads a classic pcap file from a read-only memory map: no
// read system calls and no copies, which is what makes `scan` faster
// than the tools it is compared with.
type mmapPcap struct {
	data    []byte
	off     int
	dropped int
	order   binary.ByteOrder
	nanos   bool
	lt      layers.LinkType
}

// openMmapPcap maps f; ok is false when the file cannot be mapped (a
// pipe, an empty file) and the caller should read it as a stream.
func openMmapPcap(f *os.File) (*mmapPcap, bool, error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < 24 {
		return nil, false, nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, false, nil
	}
	_ = unix.Madvise(data, unix.MADV_SEQUENTIAL)
	m := &mmapPcap{data: data, off: 24}
	switch magic := binary.LittleEndian.Uint32(data); magic {
	case 0xa1b2c3d4, 0xa1b23c4d:
		m.order = binary.LittleEndian
		m.nanos = magic == 0xa1b23c4d
	case 0xd4c3b2a1, 0x4d3cb2a1:
		m.order = binary.BigEndian
		m.nanos = magic == 0x4d3cb2a1
	default:
		unix.Munmap(data)
		return nil, false, nil
	}
	m.lt = layers.LinkType(m.order.Uint32(data[20:]) & 0x0fffffff)
	return m, true, nil
}

func (m *mmapPcap) next() (Packet, error) {
	if m.off == len(m.data) {
		return Packet{}, io.EOF
	}
	if len(m.data)-m.off < 16 {
		return Packet{}, io.ErrUnexpectedEOF
	}
	h := m.data[m.off : m.off+16]
	sec, frac := m.order.Uint32(h), m.order.Uint32(h[4:])
	incl, orig := int(m.order.Uint32(h[8:])), int(m.order.Uint32(h[12:]))
	if incl > maxRecord {
		return Packet{}, fmt.Errorf("record at byte %d claims %d bytes: the file is corrupt", m.off, incl)
	}
	if len(m.data)-m.off-16 < incl {
		return Packet{}, io.ErrUnexpectedEOF
	}
	data := m.data[m.off+16 : m.off+16+incl]
	m.off += 16 + incl
	if m.off-m.dropped >= mmapDropEvery {
		m.release()
	}
	if !m.nanos {
		frac *= 1000
	}
	return Packet{Data: data, Time: time.Unix(int64(sec), int64(frac)), LinkType: m.lt, Truncated: incl < orig}, nil
}

// release hands back the pages before the previous packet (which the
// caller may still hold).
func (m *mmapPcap) release() {
	page := os.Getpagesize()
	end := (m.off - maxRecord - 16) / page * page
	if end <= m.dropped {
		return
	}
	_ = unix.Madvise(m.data[m.dropped:end], unix.MADV_DONTNEED)
	m.dropped = end
}

func (m *mmapPcap) close() error { return unix.Munmap(m.data) }
