package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Keys protect the client's Initial packets of one connection. Deriving
// them costs a few hashes and allocations, so callers keep them per
// connection; opening packets with them does not allocate.
type Keys struct {
	aead cipher.AEAD
	hp   cipher.Block
	iv   [12]byte
	p    params
	dcid [MaxCIDLen]byte
	n    int
}

// ClientKeys derives the client Initial keys of version v for the
// Destination Connection ID the client chose (RFC 9001 section 5.2).
func ClientKeys(v uint32, dcid []byte) (*Keys, error) {
	p, ok := lookup(v)
	if !ok {
		return nil, ErrVersion
	}
	return deriveKeys(p, dcid)
}

// AltClientKeys derives keys with the other salt a reserved version may
// have been protected with: clients of the draft-29 era (the QUIC interop
// runner's version-negotiation test) used draft-29 keys with it.
func AltClientKeys(v uint32, dcid []byte) (*Keys, bool) {
	if !reserved(v) {
		return nil, false
	}
	k, err := deriveKeys(params{salt: saltDraft29}, dcid)
	return k, err == nil
}

func deriveKeys(p params, dcid []byte) (*Keys, error) {
	if len(dcid) > MaxCIDLen {
		return nil, ErrCIDTooLong
	}
	key, iv, hpKey, err := initialSecrets(p, dcid)
	if err != nil {
		return nil, err
	}
	k := &Keys{p: p, n: len(dcid)}
	copy(k.dcid[:], dcid)
	copy(k.iv[:], iv)
	block, _ := aes.NewCipher(key)
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, fmt.Errorf("quic: %w", err)
	}
	k.hp, _ = aes.NewCipher(hpKey)
	return k, nil
}

// initialSecrets derives the client's Initial packet key, IV and header
// protection key (RFC 9001 section 5.2, RFC 9369 section 3.3).
func initialSecrets(p params, dcid []byte) (key, iv, hp []byte, err error) {
	initial, err := hkdf.Extract(sha256.New, dcid, p.salt)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("quic: deriving initial secret: %w", err)
	}
	client, err := expandLabel(initial, "client in", 32)
	if err != nil {
		return nil, nil, nil, err
	}
	prefix := "quic "
	if p.v2 {
		prefix = "quicv2 "
	}
	if key, err = expandLabel(client, prefix+"key", 16); err != nil {
		return nil, nil, nil, err
	}
	if iv, err = expandLabel(client, prefix+"iv", 12); err != nil {
		return nil, nil, nil, err
	}
	hp, err = expandLabel(client, prefix+"hp", 16)
	return key, iv, hp, err
}

// Matches reports whether k were derived for version v and dcid.
func (k *Keys) Matches(v uint32, dcid []byte) bool {
	p, _ := lookup(v)
	return string(k.dcid[:k.n]) == string(dcid) && string(p.salt) == string(k.p.salt)
}

// expandLabel is HKDF-Expand-Label of TLS 1.3 (RFC 8446 section 7.1) with
// an empty context.
func expandLabel(secret []byte, label string, n int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		return nil, fmt.Errorf("quic: expanding %q: %w", label, err)
	}
	return out, nil
}

// Open removes header protection from the Initial packet h at the start
// of pkt and decrypts it into scratch, which must hold h.Size bytes. It
// returns the plaintext frames, aliasing scratch.
func (k *Keys) Open(pkt []byte, h Long, scratch []byte) ([]byte, error) {
	if len(scratch) < h.Size {
		return nil, ErrNoPlaintext
	}
	if h.Length < 20 || len(pkt) < h.Size {
		return nil, ErrMalformed
	}
	buf := scratch[:h.Size]
	copy(buf, pkt[:h.Size])
	var mask [16]byte
	k.hp.Encrypt(mask[:], buf[h.PNOffset+4:h.PNOffset+20])
	buf[0] ^= mask[0] & 0x0f
	pnLen := int(buf[0]&3) + 1
	var pn uint64
	for i := range pnLen {
		buf[h.PNOffset+i] ^= mask[1+i]
		pn = pn<<8 | uint64(buf[h.PNOffset+i])
	}
	nonce := k.iv
	for i := range 8 {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	hdrEnd := h.PNOffset + pnLen
	plain, err := k.aead.Open(buf[hdrEnd:hdrEnd], nonce[:], buf[hdrEnd:], buf[:hdrEnd])
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}
