package bundles

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

func TestPublishAndServe(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "shadowai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := &Server{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()

	if v := srv.CurrentVersion(); v != "" {
		t.Errorf("before publishing, heartbeats announce %q", v)
	}
	if _, err := srv.GetBundle(ctx, &pb.GetBundleRequest{}); status.Code(err) != codes.NotFound {
		t.Errorf("GetBundle before publishing: %v, want NotFound", err)
	}
	key, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := LoadOrCreateKey(dir)
	if !key.Equal(again) {
		t.Error("the signing key changed when loaded again")
	}
	b, cat, err := Publish(ctx, st, key, os.DirFS("../../../signatures"))
	if err != nil {
		t.Fatal(err)
	}
	if srv.CurrentVersion() != b.Version || cat.Version() != b.Version {
		t.Errorf("announced %q, published %q, catalog %q", srv.CurrentVersion(), b.Version, cat.Version())
	}
	resp, err := srv.GetBundle(ctx, &pb.GetBundleRequest{Version: b.Version})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetBundle()
	if err := signatures.VerifyBundle(key.Public().(ed25519.PublicKey), got.GetContent(), got.GetSignature()); err != nil {
		t.Errorf("served bundle does not verify: %v", err)
	}
	if _, err := srv.GetBundle(ctx, &pb.GetBundleRequest{Version: "nope"}); status.Code(err) != codes.NotFound {
		t.Errorf("unknown version: %v, want NotFound", err)
	}
	if _, err := srv.GetBundle(ctx, &pb.GetBundleRequest{Version: strings.Repeat("v", 300)}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("oversized version: %v, want InvalidArgument", err)
	}
	inForce, err := InForce(ctx, st)
	if err != nil || inForce.Version() != b.Version {
		t.Errorf("InForce = %v, %v; want the published catalog", inForce, err)
	}
}

func TestDamagedKeyIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("not a key"), 0o600)
	if _, err := LoadOrCreateKey(dir); err == nil || !strings.Contains(err.Error(), "restore it from backup") {
		t.Errorf("damaged key: %v", err)
	}
}
