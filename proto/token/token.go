// Package token encodes the one-time enrollment token that an admin hands
// to an agent. Besides the secret, a token pins the SHA-256 fingerprint of
// the collector's CA certificate, so an agent never enrolls with (and never
// sends data to) an impostor collector.
//
// Form: "SAI1." + base64url(secret) + "." + base64url(sha256(CA DER)).
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

const (
	prefix    = "SAI1"
	secretLen = 24
)

// Token is a parsed enrollment token.
type Token struct {
	Secret        []byte
	CAFingerprint [32]byte
}

// New makes a token with a fresh random secret for the given CA
// fingerprint.
func New(caFingerprint [32]byte) (Token, error) {
	t := Token{Secret: make([]byte, secretLen), CAFingerprint: caFingerprint}
	if _, err := rand.Read(t.Secret); err != nil {
		return Token{}, fmt.Errorf("generating token secret: %w", err)
	}
	return t, nil
}

// String is the token as handed to an admin.
func (t Token) String() string {
	enc := base64.RawURLEncoding
	return prefix + "." + enc.EncodeToString(t.Secret) + "." + enc.EncodeToString(t.CAFingerprint[:])
}

// Hash is what the collector stores instead of the secret.
func (t Token) Hash() [32]byte { return sha256.Sum256(t.Secret) }

// ErrMalformed says a string is not an enrollment token.
var ErrMalformed = errors.New("not a shadowai enrollment token (expected SAI1.<secret>.<ca-fingerprint>, as printed by `shadowai-collector token create`)")

// Parse reads a token string.
func Parse(s string) (Token, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 || parts[0] != prefix {
		return Token{}, ErrMalformed
	}
	enc := base64.RawURLEncoding
	secret, err := enc.DecodeString(parts[1])
	if err != nil || len(secret) != secretLen {
		return Token{}, ErrMalformed
	}
	fp, err := enc.DecodeString(parts[2])
	if err != nil || len(fp) != 32 {
		return Token{}, ErrMalformed
	}
	return Token{Secret: secret, CAFingerprint: [32]byte(fp)}, nil
}
