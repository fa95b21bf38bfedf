// Package dns reads DNS messages (RFC 1035) without allocating: the
// header, the first question, and the resource records of the answer
// section. It reads what a sensor needs to name a lookup and to map the
// addresses in an answer back to the name asked for, and refuses
// malformed names (compression loops, overlong names) instead of guessing.
//
// Names come out in presentation form, lower case, without the trailing
// dot. Bytes that are not printable ASCII are written as \DDD (decimal),
// and a dot or backslash inside a label as \. and \\ (RFC 4343 section
// 2.1): a hostile name can neither inject control characters into logs
// and reports nor pass itself off as a different name.
package dns

import (
	"encoding/binary"
	"errors"
)

// MaxName is the longest name in wire terms (label bytes plus dots).
const MaxName = 253

// MaxPresentation is the longest escaped name: every byte as \DDD.
const MaxPresentation = 4 * MaxName

// Name holds one name in presentation form.
type Name [MaxPresentation]byte

// Errors a message can fail with.
var (
	ErrShort      = errors.New("dns: message too short")
	ErrNoQuestion = errors.New("dns: no question")
	ErrName       = errors.New("dns: malformed name")
	ErrPointer    = errors.New("dns: bad compression pointer")
	ErrTooLong    = errors.New("dns: name longer than 253 bytes")
)

// Record types the sensor reads.
const (
	TypeA     = 1
	TypeCNAME = 5
	TypeAAAA  = 28
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
// buffer.
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
// the name into buf. It also returns the offset where the answer section
// starts (after every question), or -1 when the other questions are
// malformed.
func FirstQuestion(msg []byte, buf *Name) (Header, Question, int, error) {
	h, err := ParseHeader(msg)
	if err != nil {
		return h, Question{}, -1, err
	}
	if h.QDCount == 0 {
		return h, Question{}, -1, ErrNoQuestion
	}
	n, end, err := ReadName(msg, 12, buf)
	if err != nil {
		return h, Question{}, -1, err
	}
	if len(msg) < end+4 {
		return h, Question{}, -1, ErrShort
	}
	q := Question{
		Name:  buf[:n],
		Type:  binary.BigEndian.Uint16(msg[end:]),
		Class: binary.BigEndian.Uint16(msg[end+2:]),
	}
	return h, q, skipQuestions(msg, end+4, int(h.QDCount)-1), nil
}

func skipQuestions(msg []byte, off, n int) int {
	for ; n > 0; n-- {
		end, err := SkipName(msg, off)
		if err != nil || len(msg) < end+4 {
			return -1
		}
		off = end + 4
	}
	return off
}
