package signatures

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// A bundle is a catalog as one signed document: a zip archive holding
// VERSION (the declared version, one line) and vendors/*.yaml, written
// deterministically (sorted, fixed times) so the same catalog always gives
// the same bytes. The collector signs the archive's bytes with its ed25519
// key; agents verify the signature with the key they received when they
// enrolled, then compile the catalog from the archive.

// VersionFile holds the declared version in a catalog tree and a bundle.
const VersionFile = "VERSION"

// Bounds on what an agent will unpack.
const (
	MaxBundle      = 8 << 20
	maxBundleFiles = 2048
)

// signingContext is prepended to the bundle before signing, so a signature
// made for a bundle can never be replayed as a signature of anything else.
const signingContext = "shadowai signature bundle v1\n"

// BuildBundle validates the catalog tree in fsys (VERSION and
// vendors/*.yaml) and packs it into a bundle. It returns the bundle and the
// version it carries, the same string Catalog.Version gives.
func BuildBundle(fsys fs.FS) (content []byte, version string, err error) {
	declared, err := readDeclared(fsys)
	if err != nil {
		return nil, "", err
	}
	cat, err := Load(fsys, declared)
	if err != nil {
		return nil, "", err
	}
	files, err := readVendorFiles(fsys)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add(VersionFile, []byte(declared+"\n")); err != nil {
		return nil, "", fmt.Errorf("packing the bundle: %w", err)
	}
	for _, f := range files {
		if err := add(f.name, f.data); err != nil {
			return nil, "", fmt.Errorf("packing the bundle: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, "", fmt.Errorf("packing the bundle: %w", err)
	}
	return buf.Bytes(), cat.Version(), nil
}

// readDeclared reads the one-line VERSION file of a catalog tree.
func readDeclared(fsys fs.FS) (string, error) {
	b, err := readBounded(fsys, VersionFile, 256)
	if err != nil {
		return "", fmt.Errorf("%w (a catalog tree needs a VERSION file with its version, e.g. 2026.11.26)", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" || strings.ContainsAny(v, " \t\n+") {
		return "", fmt.Errorf("VERSION %q: want one word without spaces or '+', e.g. 2026.11.26", v)
	}
	return v, nil
}

// OpenBundle compiles the catalog inside a bundle. It does not check the
// signature: call VerifyBundle first.
func OpenBundle(content []byte) (*Catalog, error) {
	if len(content) > MaxBundle {
		return nil, fmt.Errorf("bundle is %d bytes, more than the %d allowed", len(content), MaxBundle)
	}
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, fmt.Errorf("bundle is not a catalog archive: %w", err)
	}
	if len(zr.File) > maxBundleFiles {
		return nil, fmt.Errorf("bundle has %d files, more than the %d allowed", len(zr.File), maxBundleFiles)
	}
	declared, err := readDeclared(zr)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	cat, err := Load(zr, declared)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return cat, nil
}

// SignBundle signs a bundle's bytes.
func SignBundle(key ed25519.PrivateKey, content []byte) []byte {
	return ed25519.Sign(key, signedMessage(content))
}

// ErrBadSignature says a bundle's signature does not verify with the
// trusted key.
var ErrBadSignature = errors.New("signature does not verify with the collector's signing key")

// VerifyBundle checks a bundle's signature with the trusted public key.
func VerifyBundle(trusted ed25519.PublicKey, content, sig []byte) error {
	if len(trusted) != ed25519.PublicKeySize {
		return errors.New("no valid trusted signing key")
	}
	if !ed25519.Verify(trusted, signedMessage(content), sig) {
		return ErrBadSignature
	}
	return nil
}

func signedMessage(content []byte) []byte {
	return append([]byte(signingContext), content...)
}

// BundleSHA256 is the hex SHA-256 of a bundle's bytes.
func BundleSHA256(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}
