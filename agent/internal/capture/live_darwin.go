package capture

import (
	"fmt"
	"strings"
	"syscall"

	"github.com/gopacket/gopacket/bsdbpf"
	"github.com/gopacket/gopacket/layers"
)

// bpfSource reads a macOS BPF device (/dev/bpfN) through gopacket's pure
// Go bsdbpf package. It compiles and is documented but is not tested
// here (the project's machines run Linux). The built-in kernel filter is
// not installed: bsdbpf does not expose the device to set one, so every
// packet of the interface reaches the sensor, which skips bulk itself.
type bpfSource struct {
	s     *bsdbpf.BPFSniffer
	iface string
	lt    layers.LinkType
	n     uint64
}

func openLive(cfg LiveConfig) (LiveSource, error) {
	if cfg.Interface == "" {
		return nil, fmt.Errorf("live capture on macOS needs an interface: give --iface (for example en0); BPF devices attach to one interface each")
	}
	tv := syscall.NsecToTimeval(cfg.PollTimeout.Nanoseconds())
	s, err := bsdbpf.NewBPFSniffer(cfg.Interface, &bsdbpf.Options{
		ReadBufLen: 1 << 20, Timeout: &tv, Immediate: true, PreserveLinkAddr: true,
	})
	if err != nil {
		return nil, fmt.Errorf("opening a BPF device for %s: %w (live capture needs root, or read access to /dev/bpf*)", cfg.Interface, err)
	}
	lt := layers.LinkTypeEthernet
	if strings.HasPrefix(cfg.Interface, "lo") || strings.HasPrefix(cfg.Interface, "utun") {
		lt = layers.LinkTypeNull
	}
	return &bpfSource{s: s, iface: cfg.Interface, lt: lt}, nil
}

func (b *bpfSource) Next() (Packet, error) {
	data, ci, err := b.s.ReadPacketData()
	if err != nil {
		return Packet{}, fmt.Errorf("reading from %s: %w", b.iface, err)
	}
	if len(data) == 0 {
		return Packet{}, ErrTimeout
	}
	b.n++
	return Packet{Data: data, Time: ci.Timestamp, LinkType: b.lt, Truncated: ci.CaptureLength < ci.Length}, nil
}

// Stats reports the packets read; the BPF device's drop counter is not
// exposed by bsdbpf.
func (b *bpfSource) Stats() (LiveStats, error) { return LiveStats{Received: b.n}, nil }

func (b *bpfSource) Close() error { return b.s.Close() }
