// Package catalogsync keeps the agent's signature catalog current: when a
// heartbeat says the collector publishes another catalog version, it
// fetches the bundle, verifies its ed25519 signature with the key the
// agent received at enrollment, swaps the matcher in place (no restart)
// and keeps the bundle in the state directory so a restart runs it too.
// A bundle that does not verify is refused and the catalog in force stays.
package catalogsync

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2/maybe"
	"google.golang.org/protobuf/proto"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

// Files in the agent's state directory.
const (
	// KeyFile holds the collector's bundle signing public key, base64.
	KeyFile = "catalog-signing.pub"
	// BundleFile holds the last accepted bundle with its signature.
	BundleFile = "catalog.bundle"
)

// SaveTrustedKey keeps the signing key the collector sent at enrollment,
// and forgets the key and bundle of any earlier enrollment. An empty key
// (a collector without signed bundles) leaves none: bundles are refused.
func SaveTrustedKey(stateDir string, key []byte) error {
	for _, f := range []string{KeyFile, BundleFile} {
		if err := os.Remove(filepath.Join(stateDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("forgetting the previous enrollment's catalog: %w", err)
		}
	}
	if len(key) == 0 {
		return nil
	}
	if len(key) != ed25519.PublicKeySize {
		return fmt.Errorf("collector sent a %d-byte catalog signing key, want %d", len(key), ed25519.PublicKeySize)
	}
	line := base64.StdEncoding.EncodeToString(key) + "\n"
	if err := maybe.WriteFile(filepath.Join(stateDir, KeyFile), []byte(line), 0o644); err != nil {
		return fmt.Errorf("saving the catalog signing key: %w", err)
	}
	return nil
}

// errNoKey says the agent never received a signing key.
var errNoKey = errors.New("no catalog signing key in the state directory (enrolled with a collector that did not send one): enroll again with --force to accept signed bundles")

func loadTrustedKey(stateDir string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, KeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("reading the catalog signing key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s is damaged: enroll again with --force", filepath.Join(stateDir, KeyFile))
	}
	return key, nil
}

// Load returns the catalog the agent should run: the bundle it last
// accepted, verified again, or else the catalog compiled into it.
func Load(stateDir string, log *slog.Logger) (*signatures.Live, error) {
	embedded, err := signatures.Embedded()
	if err != nil {
		return nil, fmt.Errorf("loading signature catalog: %w", err)
	}
	live := signatures.NewLive(embedded)
	b, err := os.ReadFile(filepath.Join(stateDir, BundleFile))
	if errors.Is(err, os.ErrNotExist) {
		return live, nil
	}
	cat, err := openSaved(stateDir, b)
	if err != nil {
		log.Warn("ignoring the saved signature bundle; running the embedded catalog", "file", filepath.Join(stateDir, BundleFile), "err", err, "catalog_version", embedded.Version())
		return live, nil
	}
	live.Swap(cat)
	return live, nil
}

func openSaved(stateDir string, raw []byte) (*signatures.Catalog, error) {
	var b pb.SignatureBundle
	if err := proto.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("unreadable: %w", err)
	}
	key, err := loadTrustedKey(stateDir)
	if err != nil {
		return nil, err
	}
	return verify(key, &b)
}

// verify checks a bundle against the trusted key and compiles it. The
// public key the bundle carries is never used.
func verify(key ed25519.PublicKey, b *pb.SignatureBundle) (*signatures.Catalog, error) {
	if err := signatures.VerifyBundle(key, b.GetContent(), b.GetSignature()); err != nil {
		return nil, err
	}
	if got := signatures.BundleSHA256(b.GetContent()); got != b.GetSha256() {
		return nil, fmt.Errorf("content hash %s does not match the announced %s", got, b.GetSha256())
	}
	cat, err := signatures.OpenBundle(b.GetContent())
	if err != nil {
		return nil, err
	}
	if cat.Version() != b.GetVersion() {
		return nil, fmt.Errorf("bundle announced as %q holds catalog %q", b.GetVersion(), cat.Version())
	}
	return cat, nil
}
