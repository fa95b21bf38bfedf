package dns

import "encoding/binary"

// ReadName decodes the name at msg[off:], following compression pointers,
// into buf in presentation form (see the package comment). It returns the
// name's length in buf and the offset just past the name in msg.
func ReadName(msg []byte, off int, buf *Name) (n, end int, err error) {
	return walkName(msg, off, buf)
}

// SkipName returns the offset just past the name at msg[off:], checking
// it as ReadName does.
func SkipName(msg []byte, off int) (int, error) {
	_, end, err := walkName(msg, off, nil)
	return end, err
}

func walkName(msg []byte, off int, buf *Name) (n, end int, err error) {
	end = -1
	wire := 0 // length in wire terms, for the 253-byte limit
	// Every pointer must go strictly backwards: that bounds the walk and
	// rejects loops without a visited set.
	limit := off
	for {
		if off >= len(msg) {
			return 0, 0, ErrShort
		}
		c := int(msg[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				if end < 0 {
					end = off + 1
				}
				return n, end, nil
			}
			if off+1+c > len(msg) {
				return 0, 0, ErrShort
			}
			if wire > 0 {
				wire++
			}
			if wire += c; wire > MaxName {
				return 0, 0, ErrTooLong
			}
			if buf != nil {
				n = appendLabel(buf, n, msg[off+1:off+1+c])
			}
			off += 1 + c
		case 0xc0:
			if off+1 >= len(msg) {
				return 0, 0, ErrShort
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			if ptr >= limit {
				return 0, 0, ErrPointer
			}
			if end < 0 {
				end = off + 2
			}
			off, limit = ptr, ptr
		default:
			return 0, 0, ErrName
		}
	}
}

// appendLabel writes one label at buf[n:], after a dot unless it is the
// first, and returns the new length. The caller has checked the wire
// length, so the escaped form always fits.
func appendLabel(buf *Name, n int, label []byte) int {
	if n > 0 {
		buf[n] = '.'
		n++
	}
	for _, b := range label {
		n = appendByte(buf[:], n, b, true)
	}
	return n
}

// appendByte writes b in presentation form at dst[n:]. In a label (inLabel)
// a dot is data and is escaped; in a dotted host name it is a separator.
func appendByte(dst []byte, n int, b byte, inLabel bool) int {
	switch {
	case b >= 'A' && b <= 'Z':
		dst[n] = b + 'a' - 'A'
		return n + 1
	case b == '.' && !inLabel:
		dst[n] = b
		return n + 1
	case b == '.' || b == '\\':
		dst[n], dst[n+1] = '\\', b
		return n + 2
	case b > 0x20 && b < 0x7f:
		dst[n] = b
		return n + 1
	}
	dst[n], dst[n+1], dst[n+2], dst[n+3] = '\\', '0'+b/100, '0'+b/10%10, '0'+b%10
	return n + 4
}

// AppendHost appends a dotted host name from another protocol (a TLS
// server name) to dst in the same presentation form as DNS names: lower
// case, non-printable bytes as \DDD. It returns nil for a name longer
// than MaxName.
func AppendHost(dst *Name, host []byte) []byte {
	if len(host) > MaxName {
		return nil
	}
	n := 0
	for _, b := range host {
		n = appendByte(dst[:], n, b, false)
	}
	return dst[:n]
}
