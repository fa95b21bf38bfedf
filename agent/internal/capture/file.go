package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// pcap and pcapng magic numbers, as they appear in the first four bytes.
var (
	magicPcapng = []byte{0x0a, 0x0d, 0x0d, 0x0a}
	pcapMagics  = [][]byte{
		{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, // microseconds
		{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, // nanoseconds
	}
)

// ErrNotCapture says a file is neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng capture file")

// File reads packets from a pcap or pcapng file.
type File struct {
	f    *os.File
	next func() (Packet, error)
	mm   *mmapPcap
}

type zeroCopyReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// OpenFile opens a pcap or pcapng file, recognised by its magic number.
func OpenFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	cf, err := newFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cf, nil
}

func newFile(f *os.File) (*File, error) {
	if mm, ok, err := openMmapPcap(f); err != nil {
		return nil, err
	} else if ok {
		return &File{f: f, next: mm.next, mm: mm}, nil
	}
	br := bufio.NewReaderSize(f, 256<<10)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%w (file is shorter than a capture header)", ErrNotCapture)
	}
	cf := &File{f: f}
	switch {
	case bytes.Equal(magic, magicPcapng):
		r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			return nil, fmt.Errorf("reading pcapng header: %w", err)
		}
		cf.next = ngNext(r)
	case isPcapMagic(magic):
		r, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading pcap header: %w", err)
		}
		cf.next = pcapNext(r, r.LinkType())
	default:
		return nil, fmt.Errorf("%w (magic %x)", ErrNotCapture, magic)
	}
	return cf, nil
}

func isPcapMagic(m []byte) bool {
	for _, p := range pcapMagics {
		if bytes.Equal(m, p) {
			return true
		}
	}
	return false
}

func pcapNext(r zeroCopyReader, lt layers.LinkType) func() (Packet, error) {
	return func() (Packet, error) {
		data, ci, err := r.ZeroCopyReadPacketData()
		if err != nil {
			return Packet{}, err
		}
		return Packet{Data: data, Time: ci.Timestamp, LinkType: lt, Truncated: ci.CaptureLength < ci.Length}, nil
	}
}

// ngNext looks the link type up per packet: a pcapng file can hold several
// interfaces with different link types.
func ngNext(r *pcapgo.NgReader) func() (Packet, error) {
	return func() (Packet, error) {
		data, ci, err := r.ZeroCopyReadPacketData()
		if err != nil {
			return Packet{}, err
		}
		lt := r.LinkType()
		if iface, ierr := r.Interface(ci.InterfaceIndex); ierr == nil {
			lt = iface.LinkType
		}
		return Packet{Data: data, Time: ci.Timestamp, LinkType: lt, Truncated: ci.CaptureLength < ci.Length}, nil
	}
}

// Next returns the next packet, io.EOF at the end of the file, or an error
// that says where the file is damaged.
func (cf *File) Next() (Packet, error) {
	p, err := cf.next()
	switch {
	case err == nil, err == io.EOF:
		return p, err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return p, fmt.Errorf("capture is truncated (last packet cut short): %w", err)
	}
	return p, fmt.Errorf("reading packet: %w", err)
}

// Close closes the file.
func (cf *File) Close() error {
	if cf.mm != nil {
		cf.mm.close()
	}
	return cf.f.Close()
}
