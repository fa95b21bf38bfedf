package main

import (
	"encoding/binary"
	"net/netip"
)

const (
	finFlag = 0x01
	synFlag = 0x02
	pshFlag = 0x08
	ackFlag = 0x10
)

var (
	clientMAC = []byte{0x02, 0, 0, 0, 0, 1}
	routerMAC = []byte{0x02, 0, 0, 0, 0, 2}
)

// ipv4 frames payload of protocol proto in Ethernet and IPv4 headers.
// Checksums are left zero: the tools compared do not verify them.
func ipv4(src, dst netip.Addr, proto byte, payload []byte) []byte {
	b := make([]byte, 0, 34+len(payload))
	b = append(b, routerMAC...)
	b = append(b, clientMAC...)
	b = append(b, 0x08, 0x00, 0x45, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(20+len(payload)))
	b = append(b, 0, 0, 0x40, 0, 64, proto, 0, 0)
	b = append(b, src.AsSlice()...)
	b = append(b, dst.AsSlice()...)
	return append(b, payload...)
}

func udp(src, dst netip.Addr, sp, dp uint16, payload []byte) []byte {
	h := binary.BigEndian.AppendUint16(nil, sp)
	h = binary.BigEndian.AppendUint16(h, dp)
	h = binary.BigEndian.AppendUint16(h, uint16(8+len(payload)))
	h = append(h, 0, 0)
	return ipv4(src, dst, 17, append(h, payload...))
}

func tcp(src, dst netip.Addr, sp, dp uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	h := binary.BigEndian.AppendUint16(nil, sp)
	h = binary.BigEndian.AppendUint16(h, dp)
	h = binary.BigEndian.AppendUint32(h, seq)
	h = binary.BigEndian.AppendUint32(h, ack)
	h = append(h, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0)
	return ipv4(src, dst, 6, append(h, payload...))
}
