package catalogsync

import (
	"crypto/ed25519"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// signedBundle packs the repository's catalog with another declared
// version, so it differs from the embedded one.
func signedBundle(t *testing.T, priv ed25519.PrivateKey) *pb.SignatureBundle {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "vendors"), 0o755)
	files, _ := filepath.Glob("../../../signatures/vendors/*.yaml")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, "vendors", filepath.Base(f)), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "VERSION"), []byte("2099.1.1\n"), 0o644)
	content, version, err := signatures.BuildBundle(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return &pb.SignatureBundle{Version: version, Content: content, Sha256: signatures.BundleSHA256(content), Signature: signatures.SignBundle(priv, content)}
}

func TestLoadSavedBundle(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	good := signedBundle(t, priv)
	forged := signedBundle(t, otherPriv)
	mislabelled := proto.Clone(good).(*pb.SignatureBundle)
	mislabelled.Version = "2099.1.1+000000000000"
	embedded, _ := signatures.Embedded()
	tests := []struct {
		name   string
		key    []byte
		bundle []byte
		want   string
	}{
		{"accepted bundle", pub, mustMarshal(t, good), good.Version},
		{"no bundle", pub, nil, embedded.Version()},
		{"signed by another key", pub, mustMarshal(t, forged), embedded.Version()},
		{"version does not match content", pub, mustMarshal(t, mislabelled), embedded.Version()},
		{"damaged file", pub, []byte("\xff\xff garbage"), embedded.Version()},
		{"no trusted key", nil, mustMarshal(t, good), embedded.Version()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := SaveTrustedKey(dir, tc.key); err != nil {
				t.Fatal(err)
			}
			if tc.bundle != nil {
				os.WriteFile(filepath.Join(dir, BundleFile), tc.bundle, 0o600)
			}
			live, err := Load(dir, quiet)
			if err != nil {
				t.Fatal(err)
			}
			if got := live.Version(); got != tc.want {
				t.Errorf("runs %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSaveTrustedKeyForgetsPreviousEnrollment(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, BundleFile), []byte("old"), 0o600)
	if err := SaveTrustedKey(dir, make([]byte, 31)); err == nil {
		t.Error("a 31-byte key was accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, BundleFile)); !os.IsNotExist(err) {
		t.Error("the previous enrollment's bundle was kept")
	}
}

func mustMarshal(t *testing.T, b *pb.SignatureBundle) []byte {
	t.Helper()
	raw, err := proto.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// FuzzOpenSaved: the saved bundle is read back from disk at every start;
// whatever its bytes, it is verified or refused, never a panic.
func FuzzOpenSaved(f *testing.F) {
	pub, _, _ := ed25519.GenerateKey(nil)
	dir := f.TempDir()
	if err := SaveTrustedKey(dir, pub); err != nil {
		f.Fatal(err)
	}
	raw, err := proto.Marshal(&pb.SignatureBundle{Version: "x", Content: []byte("PK\x03\x04"), Signature: make([]byte, 64)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x01, 'v', 0x12, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := openSaved(dir, data); err == nil {
			t.Fatal("an unsigned bundle was accepted")
		}
	})
}
