package bundles

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
	"github.com/shadowai/shadowai/signatures"
)

// Publish validates the catalog tree in fsys, packs and signs it, stores
// it as the current bundle and brings the services table in line with it.
// Agents pick it up on their next heartbeat.
func Publish(ctx context.Context, st *store.Store, key ed25519.PrivateKey, fsys fs.FS) (store.Bundle, *signatures.Catalog, error) {
	content, version, err := signatures.BuildBundle(fsys)
	if err != nil {
		return store.Bundle{}, nil, err
	}
	cat, err := signatures.OpenBundle(content)
	if err != nil {
		return store.Bundle{}, nil, err
	}
	b := store.Bundle{
		Version: version, SHA256: signatures.BundleSHA256(content), Content: content,
		Signature: signatures.SignBundle(key, content), PublicKey: key.Public().(ed25519.PublicKey),
		PublishedAt: time.Now().UTC(), Current: true,
	}
	if err := st.PublishBundle(ctx, b); err != nil {
		return b, nil, err
	}
	if err := SyncServices(ctx, st, cat); err != nil {
		return b, nil, err
	}
	return b, cat, nil
}

// InForce is the catalog the fleet should run: the current bundle when
// one is published, otherwise the catalog compiled into this binary.
func InForce(ctx context.Context, st *store.Store) (*signatures.Catalog, error) {
	b, err := st.CurrentBundle(ctx)
	if errors.Is(err, store.ErrNoBundle) {
		return signatures.Embedded()
	}
	if err != nil {
		return nil, err
	}
	cat, err := signatures.OpenBundle(b.Content)
	if err != nil {
		return nil, fmt.Errorf("current bundle %s: %w", b.Version, err)
	}
	return cat, nil
}

// SyncServices makes the services table (vendor, category, risk shown by
// the inventory) describe cat.
func SyncServices(ctx context.Context, st *store.Store, cat *signatures.Catalog) error {
	svcs := make([]store.Service, 0, len(cat.Services()))
	for _, s := range cat.Services() {
		svcs = append(svcs, store.Service{ID: s.ID, Name: s.Name, Vendor: s.Vendor, Category: s.Category, Risk: s.Risk})
	}
	return st.SyncServices(ctx, svcs)
}
