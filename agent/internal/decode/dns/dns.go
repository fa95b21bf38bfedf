// Package dns reads the header and question of a DNS message (RFC 1035)
// without allocating. It reads what a sensor needs to name a lookup, and
// refuses malformed names (compression loops, overlong names) instead of
// guessing.
package dns

import (
	"encoding/binary"
	"errors"
)

// MaxName is the longest name in presentation form, without trailing dot.
const MaxName = 253

// Errors a message can fail with.
var (
	ErrShort      = errors.New("dns: message too short")
	ErrNoQuestion = errors.New("dns: no question")
	ErrName       = errors.New("dns: malformed name")
	ErrPointer    = errors.New("dns: bad compression pointer")
	ErrTooLong    = errors.New("dns: name longer than 253 bytes")
)

// Header is the fixed 12-byte DNS header.
type Header struct {
	ID       uint16
	Response bool
	Opcode   uint8
	Rcode    uint8
	QDCount  uint16
	ANCount  uint16
}

// Question is the first question of a message. Name aliases the caller's
// buffer, in lower case, without the trailing dot ("" is the root).
type Question struct {
	Name  []byte
	Type  uint16
	Class uint16
}

// ParseHeader reads the fixed header.
func ParseHeader(msg []byte) (Header, error) {
	if len(msg) < 12 {
		return Header{}, ErrShort
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	return Header{
		ID:       binary.BigEndian.Uint16(msg[0:]),
		Response: flags&0x8000 != 0,
		Opcode:   uint8(flags>>11) & 0x0f,
		Rcode:    uint8(flags & 0x0f),
		QDCount:  binary.BigEndian.Uint16(msg[4:]),
		ANCount:  binary.BigEndian.Uint16(msg[6:]),
	}, nil
}

// FirstQuestion reads the header and the first question of msg, writing
// the name into buf (which must hold MaxName bytes).
func FirstQuestion(msg []byte, buf *[MaxName]byte) (Header, Question, error) {
	h, err := ParseHeader(msg)
	if err != nil {
		return h, Question{}, err
	}
	if h.QDCount == 0 {
		return h, Question{}, ErrNoQuestion
	}
	n, end, err := ReadName(msg, 12, buf)
	if err != nil {
		return h, Question{}, err
	}
	if len(msg) < end+4 {
		return h, Question{}, ErrShort
	}
	q := Question{
		Name:  buf[:n],
		Type:  binary.BigEndian.Uint16(msg[end:]),
		Class: binary.BigEndian.Uint16(msg[end+2:]),
	}
	return h, q, nil
}

// ReadName decodes the name at msg[off:], following compression pointers,
// into buf in lower case with dots between labels. It returns the name's
// length in buf and the offset just past the name in msg.
func ReadName(msg []byte, off int, buf *[MaxName]byte) (n, end int, err error) {
	end = -1
	// Every pointer must go strictly backwards: that bounds the walk and
	// rejects loops without a visited set.
	limit := off
	for hops := 0; ; hops++ {
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
			if n > 0 {
				if n >= MaxName {
					return 0, 0, ErrTooLong
				}
				buf[n] = '.'
				n++
			}
			if n+c > MaxName {
				return 0, 0, ErrTooLong
			}
			for _, b := range msg[off+1 : off+1+c] {
				if b >= 'A' && b <= 'Z' {
					b += 'a' - 'A'
				}
				buf[n] = b
				n++
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
