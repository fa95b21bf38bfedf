package decode

import "encoding/binary"

// GTPUPort is the UDP port of GTP-U, the tunnel mobile networks carry
// subscriber traffic in (3GPP TS 29.281).
const GTPUPort = 2152

// GTPU returns the inner IP packet of a GTPv1-U G-PDU, or false when b is
// another GTP message or malformed.
func GTPU(b []byte) ([]byte, bool) {
	if len(b) < 8 || b[0]>>5 != 1 || b[0]&0x10 == 0 || b[1] != 0xff {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	rest := b[8:]
	if n < len(rest) {
		rest = rest[:n]
	}
	if b[0]&0x07 != 0 { // sequence number, N-PDU number or extension present
		if len(rest) < 4 {
			return nil, false
		}
		next := rest[3]
		rest = rest[4:]
		for next != 0 { // extension headers, each a multiple of 4 bytes
			if len(rest) < 1 || int(rest[0])*4 > len(rest) || rest[0] == 0 {
				return nil, false
			}
			l := int(rest[0]) * 4
			next, rest = rest[l-1], rest[l:]
		}
	}
	if len(rest) == 0 || (rest[0]>>4 != 4 && rest[0]>>4 != 6) {
		return nil, false
	}
	return rest, true
}
