package capture

import (
	"errors"
	"fmt"
	"os"

	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
)

// afSource reads an AF_PACKET TPACKET_V3 ring (pure Go, no libpcap). The
// socket is SOCK_DGRAM: the kernel strips link headers, so every
// interface (Ethernet, Wi-Fi, loopback, tunnels) yields raw IP and one
// filter program fits them all.
type afSource struct {
	h     *afpacket.TPacket
	iface string
}

func openLive(cfg LiveConfig) (LiveSource, error) {
	const frame = 1 << 16
	block := 1 << 20
	opts := []any{
		afpacket.TPacketVersion3,
		afpacket.SocketDgram,
		afpacket.OptFrameSize(frame),
		afpacket.OptBlockSize(block),
		afpacket.OptNumBlocks(max(cfg.BufferMiB*(1<<20)/block, 2)),
		afpacket.OptBlockTimeout(cfg.PollTimeout / 4),
		afpacket.OptPollTimeout(cfg.PollTimeout),
	}
	name := "all interfaces"
	if cfg.Interface != "" {
		opts = append(opts, afpacket.OptInterface(cfg.Interface))
		name = cfg.Interface
	}
	h, err := afpacket.NewTPacket(opts...)
	if err != nil {
		return nil, explainLive(name, err)
	}
	if !cfg.NoFilter {
		if err := h.SetBPF(filterProgram); err != nil {
			h.Close()
			return nil, fmt.Errorf("installing the kernel filter on %s: %w", name, err)
		}
	}
	if err := h.InitSocketStats(); err != nil {
		h.Close()
		return nil, fmt.Errorf("reading socket statistics on %s: %w", name, err)
	}
	return &afSource{h: h, iface: name}, nil
}

func explainLive(name string, err error) error {
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("opening a packet socket on %s: %w (live capture needs root or CAP_NET_RAW)", name, err)
	}
	return fmt.Errorf("opening a packet socket on %s: %w (check the interface name with `ip link`)", name, err)
}

func (s *afSource) Next() (Packet, error) {
	data, ci, err := s.h.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, afpacket.ErrTimeout) || errors.Is(err, afpacket.ErrPoll) {
			return Packet{}, ErrTimeout
		}
		return Packet{}, fmt.Errorf("reading from %s: %w", s.iface, err)
	}
	return Packet{Data: data, Time: ci.Timestamp, LinkType: layers.LinkTypeRaw, Truncated: ci.CaptureLength < ci.Length}, nil
}

// Stats returns the kernel's counters since the source opened (the
// afpacket handle accumulates them: the kernel resets its own on read).
func (s *afSource) Stats() (LiveStats, error) {
	_, v3, err := s.h.SocketStats()
	if err != nil {
		return LiveStats{}, fmt.Errorf("reading socket statistics on %s: %w", s.iface, err)
	}
	return LiveStats{Received: uint64(v3.Packets()), Drops: uint64(v3.Drops())}, nil
}

func (s *afSource) Close() error {
	s.h.Close()
	return nil
}
