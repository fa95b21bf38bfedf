// Package tlshello reads the server name (SNI), the first ALPN protocol
// and the Encrypted Client Hello flag from a TLS ClientHello (RFC 8446
// section 4.1.2, RFC 6066 section 3), without allocating.
package tlshello

import (
	"encoding/binary"
	"errors"
)

// Errors a ClientHello can fail with.
var (
	// ErrNotHello: the bytes are not a TLS handshake record holding a
	// ClientHello.
	ErrNotHello = errors.New("tlshello: not a TLS ClientHello")
	// ErrIncomplete: a ClientHello begins here but more bytes are needed.
	ErrIncomplete = errors.New("tlshello: ClientHello incomplete")
	ErrMalformed  = errors.New("tlshello: malformed ClientHello")
)

// Extension numbers read here.
const (
	extServerName = 0x0000
	extALPN       = 0x0010
	extECH        = 0xfe0d
	// extESNI is the draft Encrypted SNI extension ECH replaced (Cloudflare
	// and Firefox deployed it 2018-2020); it hides the name the same way.
	extESNI = 0xffce
)

// Hello is what a ClientHello says about the destination. SNI and ALPN
// alias the input.
type Hello struct {
	SNI  []byte
	ALPN []byte
	ECH  bool
}

// IsRecordStart reports whether b begins like a TLS handshake record
// carrying a ClientHello; cheap enough to run on every first payload.
func IsRecordStart(b []byte) bool {
	return len(b) >= 6 && b[0] == 0x16 && b[1] == 0x03 && b[2] <= 0x04 && b[5] == 0x01
}

// RecordLen returns the total length of the handshake record starting at b
// (header included), or 0 when b is too short to tell.
func RecordLen(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	return 5 + int(binary.BigEndian.Uint16(b[3:]))
}

// ParseRecord parses a ClientHello carried in TLS records starting at b.
// The ClientHello must lie within the first record.
func ParseRecord(b []byte) (Hello, error) {
	if !IsRecordStart(b) {
		return Hello{}, ErrNotHello
	}
	n := RecordLen(b)
	if len(b) < n {
		return Hello{}, ErrIncomplete
	}
	return ParseHandshake(b[5:n])
}

// ParseHandshake parses a ClientHello handshake message (type 1, 24-bit
// length, body), as carried in a TLS record or a QUIC CRYPTO stream.
func ParseHandshake(b []byte) (Hello, error) {
	if len(b) < 4 || b[0] != 0x01 {
		return Hello{}, ErrNotHello
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if len(b) < 4+n {
		return Hello{}, ErrIncomplete
	}
	return parseBody(b[4 : 4+n])
}

// parseBody reads the fields after the handshake header. On a malformed
// or truncated body it returns what it read before the damage with the
// error, so a caller may still use a server name that came first.
func parseBody(b []byte) (Hello, error) {
	var h Hello
	// version(2) random(32)
	r := reader(b)
	if !r.skip(34) || !r.skipVec8() || !r.skipVec16() || !r.skipVec8() {
		return h, ErrMalformed
	}
	if len(r) == 0 {
		return h, nil // no extensions: SSLv3-style hello
	}
	n, ok := r.u16()
	if !ok {
		return h, ErrMalformed
	}
	exts := r
	if int(n) < len(exts) {
		exts = exts[:n]
	}
	for len(exts) > 0 {
		typ, ok := exts.u16()
		if !ok {
			return h, ErrMalformed
		}
		body, ok := exts.vec16()
		if !ok {
			return h, ErrMalformed
		}
		switch typ {
		case extServerName:
			h.SNI = serverName(body)
		case extALPN:
			h.ALPN = firstALPN(body)
		case extECH, extESNI:
			h.ECH = true
		}
	}
	if int(n) > len(r) {
		return h, ErrMalformed
	}
	return h, nil
}

// ParsePartial reads what it can from the start of a ClientHello carried
// in TLS records (b) that will not complete, because a segment was never
// captured: the server name usually comes in the first extensions.
func ParsePartial(b []byte) Hello {
	if !IsRecordStart(b) {
		return Hello{}
	}
	return ParsePartialHandshake(b[5:min(len(b), RecordLen(b))])
}

// ParsePartialHandshake is ParsePartial for a bare handshake message (a
// QUIC CRYPTO stream).
func ParsePartialHandshake(hs []byte) Hello {
	if len(hs) < 4 || hs[0] != 0x01 {
		return Hello{}
	}
	body := hs[4:]
	if n := handshakeLen(hs) - 4; n < len(body) {
		body = body[:n]
	}
	h, _ := parseBody(body)
	return h
}

// serverName returns the first host_name entry of a server_name list.
func serverName(b []byte) []byte {
	r := reader(b)
	list, ok := r.vec16()
	if !ok {
		return nil
	}
	for len(list) > 0 {
		typ, ok := list.u8()
		if !ok {
			return nil
		}
		name, ok := list.vec16()
		if !ok {
			return nil
		}
		if typ == 0 {
			return name
		}
	}
	return nil
}

func firstALPN(b []byte) []byte {
	r := reader(b)
	list, ok := r.vec16()
	if !ok {
		return nil
	}
	p, ok := list.vec8()
	if !ok {
		return nil
	}
	return p
}

// reader consumes big-endian fields from a byte slice.
type reader []byte

func (r *reader) skip(n int) bool {
	if len(*r) < n {
		return false
	}
	*r = (*r)[n:]
	return true
}

func (r *reader) u8() (uint8, bool) {
	if len(*r) < 1 {
		return 0, false
	}
	v := (*r)[0]
	*r = (*r)[1:]
	return v, true
}

func (r *reader) u16() (uint16, bool) {
	if len(*r) < 2 {
		return 0, false
	}
	v := binary.BigEndian.Uint16(*r)
	*r = (*r)[2:]
	return v, true
}

func (r *reader) vec8() (reader, bool) {
	n, ok := r.u8()
	if !ok || len(*r) < int(n) {
		return nil, false
	}
	v := (*r)[:n]
	*r = (*r)[n:]
	return v, true
}

func (r *reader) vec16() (reader, bool) {
	n, ok := r.u16()
	if !ok || len(*r) < int(n) {
		return nil, false
	}
	v := (*r)[:n]
	*r = (*r)[n:]
	return v, true
}

func (r *reader) skipVec8() bool  { _, ok := r.vec8(); return ok }
func (r *reader) skipVec16() bool { _, ok := r.vec16(); return ok }
