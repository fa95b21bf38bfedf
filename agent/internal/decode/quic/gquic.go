package quic

import (
	"bytes"
	"encoding/binary"
)

// Google QUIC (Q0xx, retired by Chrome in favour of IETF QUIC) sends its
// client hello (a CHLO message of tag/value pairs, SNI among them) in the
// clear up to Q046; Q050 encrypts it like IETF Initials.

// chloSearch bounds where the CHLO tag may start: after the public
// header, a 12-byte message hash and a STREAM frame header.
const chloSearch = 64

// IsGQUICLegacy reports whether b starts with gQUIC's pre-Q046 public
// header carrying a version (flags 0x01 set, 8-byte connection ID,
// version 'Q0xx'): the first packets of such a connection.
func IsGQUICLegacy(b []byte) bool {
	return len(b) > 13 && b[0]&0x89 == 0x09 && b[9] == 'Q' && b[10] == '0'
}

// GQUICServerName finds a CHLO in the first packet of a gQUIC connection
// and returns its SNI value, or nil.
func GQUICServerName(b []byte) []byte {
	i := bytes.Index(b[:min(len(b), chloSearch+4)], []byte("CHLO"))
	if i < 0 {
		return nil
	}
	m := b[i+4:]
	if len(m) < 4 {
		return nil
	}
	n := int(binary.LittleEndian.Uint16(m))
	index, values := m[4:], m[4+8*n:]
	if n > 128 || len(m) < 4+8*n {
		return nil
	}
	start := 0
	for k := range n {
		tag, end := index[8*k:8*k+4], int(binary.LittleEndian.Uint32(index[8*k+4:]))
		if end < start || end > len(values) {
			return nil
		}
		if string(tag) == "SNI\x00" {
			return values[start:end]
		}
		start = end
	}
	return nil
}
