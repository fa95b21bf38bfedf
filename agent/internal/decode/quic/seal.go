package quic

import (
	"encoding/binary"
	"fmt"
)

// SealInitial builds a client Initial packet of version v: a long header
// with dcid and scid, a 4-byte packet number pn, and frames padded with
// PADDING to at least minSize bytes, protected as RFC 9001 section 5
// prescribes. Capture generators and tests use it to make Initials the
// way clients do; the sensor only opens them.
func SealInitial(v uint32, dcid, scid []byte, pn uint32, frames []byte, minSize int) ([]byte, error) {
	p, ok := lookup(v)
	if !ok {
		return nil, ErrVersion
	}
	k, err := deriveKeys(p, dcid)
	if err != nil {
		return nil, err
	}
	hdr := []byte{0xc0 | p.initialType()<<4 | 3}
	hdr = binary.BigEndian.AppendUint32(hdr, v)
	hdr = append(append(hdr, byte(len(dcid))), dcid...)
	hdr = append(append(hdr, byte(len(scid))), scid...)
	hdr = append(hdr, 0) // no token
	overhead := len(hdr) + 2 + 4 + k.aead.Overhead()
	if pad := minSize - overhead - len(frames); pad > 0 {
		frames = append(frames, make([]byte, pad)...)
	}
	length := 4 + len(frames) + k.aead.Overhead()
	if length >= 1<<14 {
		return nil, fmt.Errorf("quic: Initial payload of %d bytes is too long", length)
	}
	hdr = binary.BigEndian.AppendUint16(hdr, 0x4000|uint16(length))
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint32(hdr, pn)
	nonce := k.iv
	for i := range 4 {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	pkt := k.aead.Seal(hdr, nonce[:], frames, hdr)
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := range 4 {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt, nil
}

// AppendCrypto appends a CRYPTO frame carrying data at stream offset off.
func AppendCrypto(b []byte, off uint64, data []byte) []byte {
	b = append(b, frameCrypto)
	b = appendVarint(b, off)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendVarint(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v))
	case v < 1<<14:
		return binary.BigEndian.AppendUint16(b, 0x4000|uint16(v))
	case v < 1<<30:
		return binary.BigEndian.AppendUint32(b, 0x80000000|uint32(v))
	}
	return binary.BigEndian.AppendUint64(b, 0xc000000000000000|v)
}
