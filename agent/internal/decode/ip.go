package decode

import (
	"encoding/binary"
	"net/netip"
)

func ipv4(b []byte, p *Packet) error {
	if len(b) < 20 || b[0]>>4 != 4 {
		return ErrShort
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || len(b) < ihl {
		return ErrShort
	}
	if total >= ihl && total < len(b) {
		b = b[:total] // drop Ethernet padding
	}
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	frag := binary.BigEndian.Uint16(b[6:])
	p.Frag = Frag{}
	if frag&0x3fff != 0 {
		p.Frag = Frag{
			ID:     uint32(binary.BigEndian.Uint16(b[4:])),
			Offset: int(frag&0x1fff) * 8,
			More:   frag&0x2000 != 0,
			IsFrag: true,
		}
		p.Proto = b[9]
		p.Payload = b[ihl:]
		return nil
	}
	return Transport(b[9], b[ihl:], p)
}

// IPv6 extension headers that may precede the transport header.
const (
	ip6HopByHop = 0
	ip6Routing  = 43
	ip6Fragment = 44
	ip6DestOpts = 60
)

func ipv6(b []byte, p *Packet) error {
	if len(b) < 40 || b[0]>>4 != 6 {
		return ErrShort
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	next, rest := b[6], b[40:]
	if plen > 0 && plen < len(rest) {
		rest = rest[:plen]
	}
	p.Frag = Frag{}
	for {
		switch next {
		case ip6HopByHop, ip6Routing, ip6DestOpts:
			if len(rest) < 8 {
				return ErrShort
			}
			n := (int(rest[1]) + 1) * 8
			if len(rest) < n {
				return ErrShort
			}
			next, rest = rest[0], rest[n:]
		case ip6Fragment:
			if len(rest) < 8 {
				return ErrShort
			}
			off := binary.BigEndian.Uint16(rest[2:])
			// An atomic fragment (offset 0, no more) is a whole packet.
			if off&0xfff9 != 0 {
				p.Frag = Frag{
					ID:     binary.BigEndian.Uint32(rest[4:]),
					Offset: int(off &^ 7),
					More:   off&1 != 0,
					IsFrag: true,
				}
				p.Proto = rest[0]
				p.Payload = rest[8:]
				return nil
			}
			next, rest = rest[0], rest[8:]
		default:
			return Transport(next, rest, p)
		}
	}
}

// Transport decodes the TCP or UDP header at the start of b, the payload
// of an IP packet with protocol proto (or a reassembled datagram).
func Transport(proto uint8, b []byte, p *Packet) error {
	p.Proto = proto
	switch proto {
	case ProtoUDP:
		if len(b) < 8 {
			return ErrShort
		}
		p.SrcPort = binary.BigEndian.Uint16(b[0:])
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		p.Seq, p.TCPFlags = 0, 0
		p.Payload = b[8:]
		if ulen := int(binary.BigEndian.Uint16(b[4:])); ulen >= 8 && ulen < len(b) {
			p.Payload = b[8:ulen]
		}
		return nil
	case ProtoTCP:
		if len(b) < 20 {
			return ErrShort
		}
		off := int(b[12]>>4) * 4
		if off < 20 || len(b) < off {
			return ErrShort
		}
		p.SrcPort = binary.BigEndian.Uint16(b[0:])
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		p.Seq = binary.BigEndian.Uint32(b[4:])
		p.TCPFlags = b[13]
		p.Payload = b[off:]
		return nil
	}
	p.SrcPort, p.DstPort, p.Seq, p.TCPFlags = 0, 0, 0, 0
	return ErrTransport
}
