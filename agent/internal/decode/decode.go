// Package decode parses link, network and transport headers of a captured
// frame without allocating, down to the transport payload that the
// protocol decoders (dns, tlshello) read.
package decode

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/gopacket/gopacket/layers"
)

// IP protocol numbers this package follows.
const (
	ProtoTCP = 6
	ProtoUDP = 17
)

// Errors a frame can fail with; callers count them by kind.
var (
	ErrShort     = errors.New("frame too short")
	ErrLinkType  = errors.New("unsupported link type")
	ErrNotIP     = errors.New("not an IP packet")
	ErrTransport = errors.New("not TCP or UDP")
)

// Packet is the decoded view of a frame. Payload aliases the frame.
type Packet struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Proto            uint8
	// TCP only.
	Seq      uint32
	TCPFlags uint8
	// Frag describes an IP fragment. When Frag.IsFrag is set, Payload is
	// the fragment's share of the IP payload and the ports are unset: the
	// caller reassembles (see package defrag) and calls Transport.
	Frag    Frag
	Payload []byte
}

// Frag identifies one IP fragment.
type Frag struct {
	ID     uint32
	Offset int
	More   bool
	IsFrag bool
}

// TCP flag bits.
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPAck = 0x10
)

// Frame decodes data captured with link type lt into p.
func Frame(lt layers.LinkType, data []byte, p *Packet) error {
	ethType, ip, err := link(lt, data)
	if err != nil {
		return err
	}
	switch ethType {
	case 0x0800:
		return ipv4(ip, p)
	case 0x86dd:
		return ipv6(ip, p)
	}
	return ErrNotIP
}

// link strips the link-layer header and returns the EtherType of what
// follows (0x0800 or 0x86dd for IP).
func link(lt layers.LinkType, b []byte) (uint16, []byte, error) {
	switch lt {
	case layers.LinkTypeEthernet:
		return ethernet(b)
	case layers.LinkTypeLinuxSLL:
		if len(b) < 16 {
			return 0, nil, ErrShort
		}
		return binary.BigEndian.Uint16(b[14:]), b[16:], nil
	case layers.LinkTypeLinuxSLL2:
		if len(b) < 20 {
			return 0, nil, ErrShort
		}
		return binary.BigEndian.Uint16(b[0:]), b[20:], nil
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		return nullFamily(b), b[4:], nil
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6, 12, 14:
		return rawIP(b)
	}
	return 0, nil, ErrLinkType
}

func ethernet(b []byte) (uint16, []byte, error) {
	if len(b) < 14 {
		return 0, nil, ErrShort
	}
	t, b := binary.BigEndian.Uint16(b[12:]), b[14:]
	// 802.1Q and 802.1ad (QinQ) tags, possibly stacked.
	for t == 0x8100 || t == 0x88a8 || t == 0x9100 {
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		t, b = binary.BigEndian.Uint16(b[2:]), b[4:]
	}
	if t == 0x8864 {
		return pppoe(b)
	}
	return t, b, nil
}

// pppoe strips a PPPoE session header and the PPP protocol field (DSL
// links, as captured at a broadband gateway).
func pppoe(b []byte) (uint16, []byte, error) {
	if len(b) < 8 {
		return 0, nil, ErrShort
	}
	switch binary.BigEndian.Uint16(b[6:]) {
	case 0x0021:
		return 0x0800, b[8:], nil
	case 0x0057:
		return 0x86dd, b[8:], nil
	}
	return 0, nil, ErrNotIP
}

// nullFamily reads the address family of a BSD loopback header, written in
// the byte order of the capturing host. AF_INET6 differs between BSDs.
func nullFamily(b []byte) uint16 {
	v := binary.LittleEndian.Uint32(b)
	if v > 0xffff {
		v = binary.BigEndian.Uint32(b)
	}
	switch v {
	case 2:
		return 0x0800
	case 10, 24, 28, 30:
		return 0x86dd
	}
	return 0
}

func rawIP(b []byte) (uint16, []byte, error) {
	if len(b) < 1 {
		return 0, nil, ErrShort
	}
	switch b[0] >> 4 {
	case 4:
		return 0x0800, b, nil
	case 6:
		return 0x86dd, b, nil
	}
	return 0, nil, ErrNotIP
}
