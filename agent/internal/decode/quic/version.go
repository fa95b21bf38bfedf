// Package quic removes the Initial packet protection of QUIC v1 (RFC 9001
// section 5), QUIC v2 (RFC 9369), IETF drafts 22-34 and Google's
// TLS-based T050/T051, and walks the CRYPTO frames inside, so a sensor can
// reassemble the ClientHello and read its server name. Initial keys derive
// from the client's Destination Connection ID alone: anyone on the path
// can read them, by design.
package quic

import "encoding/binary"

// Kind sorts a QUIC version by what the sensor can do with it.
type Kind uint8

// Kinds of version.
const (
	// Unknown: not a version this package knows, or not QUIC at all.
	Unknown Kind = iota
	// IETF: an Initial this package can decrypt.
	IETF
	// GQUIC: Google QUIC with its own crypto handshake (Q0xx): counted,
	// not decrypted.
	GQUIC
	// Negotiation: a Version Negotiation packet (version 0).
	Negotiation
)

// Initial salts (RFC 9001 section 5.2, RFC 9369 section 3.3.1, and the
// drafts and Google versions that used their own).
var (
	saltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltV2Draft = []byte{0xa7, 0x07, 0xc2, 0x03, 0xa5, 0x9b, 0x47, 0x18, 0x4a, 0x1d, 0x62, 0xca, 0x57, 0x04, 0x06, 0xea, 0x7a, 0xe3, 0xe5, 0xd3}
	saltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	saltDraft22 = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	saltT050    = []byte{0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10}
	saltT051    = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}
)

// Versions with their own salt or labels.
const (
	V1      = 0x00000001
	V2      = 0x6b3343cf
	V2Draft = 0x709a50c4
	T050    = 0x54303530
	T051    = 0x54303531
)

// params is how to derive a version's Initial keys.
type params struct {
	salt []byte
	v2   bool // "quicv2 " labels and the v2 packet type numbering
}

// Classify says what kind of version v is.
func Classify(v uint32) Kind {
	if v == 0 {
		return Negotiation
	}
	if _, ok := lookup(v); ok {
		return IETF
	}
	if v>>24 == 'Q' {
		return GQUIC
	}
	return Unknown
}

func lookup(v uint32) (params, bool) {
	switch v {
	case V1:
		return params{salt: saltV1}, true
	case V2:
		return params{salt: saltV2, v2: true}, true
	case V2Draft:
		return params{salt: saltV2Draft, v2: true}, true
	case T050:
		return params{salt: saltT050}, true
	case T051:
		return params{salt: saltT051}, true
	case 0xfaceb001: // Facebook mvfst, draft-22 based
		return params{salt: saltDraft22}, true
	case 0xfaceb002, 0xfaceb00e: // mvfst, draft-27 based
		return params{salt: saltDraft23}, true
	}
	if reserved(v) {
		// A reserved version (RFC 9000 section 15.1) provokes Version
		// Negotiation; clients that send one (interop tests, greasing)
		// protect the Initial as v1 does, so it is worth a try.
		return params{salt: saltV1}, true
	}
	if v>>8 == 0xff0000 { // IETF draft-NN
		switch d := v & 0xff; {
		case d == 22:
			return params{salt: saltDraft22}, true
		case d >= 23 && d <= 28:
			return params{salt: saltDraft23}, true
		case d >= 29 && d <= 32:
			return params{salt: saltDraft29}, true
		case d >= 33 && d <= 34:
			return params{salt: saltV1}, true
		}
	}
	return params{}, false
}

// initialType is the long-header packet type of an Initial: 0 in v1 and
// the drafts, 1 in v2 (RFC 9369 section 3.2).
func (p params) initialType() byte {
	if p.v2 {
		return 1
	}
	return 0
}

// reserved reports the versions of the form 0x?a?a?a?a.
func reserved(v uint32) bool { return v&0x0f0f0f0f == 0x0a0a0a0a }

// retryType is the long-header type of a Retry: 3 in v1, 0 in v2.
func (p params) retryType() byte {
	if p.v2 {
		return 0
	}
	return 3
}

// varint reads a QUIC variable-length integer (RFC 9000 section 16).
func varint(b []byte) (v uint64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0, false
	}
	switch n {
	case 1:
		return uint64(b[0] & 0x3f), 1, true
	case 2:
		return uint64(binary.BigEndian.Uint16(b) & 0x3fff), 2, true
	case 4:
		return uint64(binary.BigEndian.Uint32(b) & 0x3fffffff), 4, true
	}
	return binary.BigEndian.Uint64(b) & 0x3fffffffffffffff, 8, true
}
