package quic

import (
	"encoding/binary"
	"errors"
)

// Errors a datagram can fail with; the sensor counts them by kind.
var (
	ErrNotLong     = errors.New("quic: not a long-header packet")
	ErrNotInitial  = errors.New("quic: not an Initial packet")
	ErrMalformed   = errors.New("quic: malformed packet")
	ErrVersion     = errors.New("quic: version without known Initial keys")
	ErrDecrypt     = errors.New("quic: Initial packet failed to decrypt")
	ErrFrame       = errors.New("quic: malformed frame in Initial")
	ErrCIDTooLong  = errors.New("quic: connection ID longer than 20 bytes")
	ErrNoPlaintext = errors.New("quic: scratch buffer too small")
)

// MaxCIDLen is the longest connection ID of QUIC v1 and v2.
const MaxCIDLen = 20

// Long is one long-header packet of a datagram.
type Long struct {
	Version uint32
	// Type is the two type bits of the first byte, as sent.
	Type       byte
	DCID, SCID []byte
	// Initial only: the offset of the packet number and the length of
	// packet number plus payload.
	PNOffset int
	Length   int
	// Size is the bytes this packet takes in the datagram; a coalesced
	// packet may follow.
	Size int
}

// IsLong reports whether b starts with a long header; a cheap test for
// every UDP payload.
func IsLong(b []byte) bool { return len(b) >= 7 && b[0]&0x80 != 0 }

// Version returns the version field of a long header (IsLong(b) true).
func Version(b []byte) uint32 { return binary.BigEndian.Uint32(b[1:]) }

// ParseLong reads the long header at the start of b. For Initial packets
// of known versions it also finds the packet number and the packet's end,
// so coalesced packets can be walked.
func ParseLong(b []byte) (Long, error) {
	if !IsLong(b) {
		return Long{}, ErrNotLong
	}
	h := Long{Version: Version(b), Type: (b[0] >> 4) & 3}
	r := b[5:]
	var ok bool
	if h.DCID, r, ok = cid(r); !ok {
		return h, ErrMalformed
	}
	if h.SCID, r, ok = cid(r); !ok {
		return h, ErrMalformed
	}
	if len(h.DCID) > MaxCIDLen || len(h.SCID) > MaxCIDLen {
		return h, ErrCIDTooLong
	}
	p, known := lookup(h.Version)
	if !known {
		return h, ErrVersion
	}
	if h.Type == p.retryType() { // a Retry has no length field
		h.Size = len(b)
		return h, ErrNotInitial
	}
	if h.Type == p.initialType() {
		tok, n, ok := varint(r)
		if !ok || uint64(len(r)-n) < tok {
			return h, ErrMalformed
		}
		r = r[n+int(tok):]
	}
	length, n, ok := varint(r)
	if !ok || uint64(len(r)-n) < length {
		return h, ErrMalformed
	}
	h.PNOffset = len(b) - len(r) + n
	h.Length = int(length)
	h.Size = h.PNOffset + h.Length
	if h.Type != p.initialType() {
		return h, ErrNotInitial
	}
	return h, nil
}

func cid(r []byte) (id, rest []byte, ok bool) {
	if len(r) < 1 || len(r) < 1+int(r[0]) {
		return nil, nil, false
	}
	return r[1 : 1+int(r[0])], r[1+int(r[0]):], true
}
