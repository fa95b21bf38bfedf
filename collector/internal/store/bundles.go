package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Bundle is a published signature bundle.
type Bundle struct {
	Version     string
	SHA256      string
	Content     []byte
	Signature   []byte
	PublicKey   []byte
	PublishedAt time.Time
	Current     bool
}

// ErrNoBundle says no bundle (or none with the asked version) is published.
var ErrNoBundle = errors.New("no signature bundle published")

// PublishBundle stores a bundle and makes it the current one, in one
// transaction. Publishing a version again makes it current again.
func (s *Store) PublishBundle(ctx context.Context, b Bundle) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("publishing bundle %s: %w", b.Version, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE bundles SET current = 0 WHERE current = 1"); err != nil {
		return fmt.Errorf("publishing bundle %s: %w", b.Version, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bundles(version, sha256, content, signature, public_key, published_at, current)
		VALUES (?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT(version) DO UPDATE SET sha256 = excluded.sha256, content = excluded.content,
			signature = excluded.signature, public_key = excluded.public_key,
			published_at = excluded.published_at, current = 1`,
		b.Version, b.SHA256, b.Content, b.Signature, b.PublicKey, b.PublishedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("publishing bundle %s: %w", b.Version, err)
	}
	return tx.Commit()
}

// CurrentBundle returns the current bundle, or ErrNoBundle.
func (s *Store) CurrentBundle(ctx context.Context) (Bundle, error) {
	return s.bundle(ctx, "WHERE current = 1")
}

// BundleByVersion returns the bundle with the given version, or ErrNoBundle.
func (s *Store) BundleByVersion(ctx context.Context, version string) (Bundle, error) {
	return s.bundle(ctx, "WHERE version = ?", version)
}

// CurrentBundleVersion is the version of the current bundle, "" when none
// is published.
func (s *Store) CurrentBundleVersion(ctx context.Context) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT version FROM bundles WHERE current = 1").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the current bundle version: %w", err)
	}
	return v, nil
}

func (s *Store) bundle(ctx context.Context, where string, args ...any) (Bundle, error) {
	var b Bundle
	var published int64
	err := s.r.QueryRowContext(ctx, `SELECT version, sha256, content, signature, public_key, published_at, current
		FROM bundles `+where, args...).Scan(&b.Version, &b.SHA256, &b.Content, &b.Signature, &b.PublicKey, &published, &b.Current)
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrNoBundle
	}
	if err != nil {
		return b, fmt.Errorf("reading signature bundle: %w", err)
	}
	b.PublishedAt = time.Unix(0, published)
	return b, nil
}

// Bundles lists the published bundles, newest first, without content.
func (s *Store) Bundles(ctx context.Context) ([]Bundle, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT version, sha256, published_at, current FROM bundles ORDER BY published_at DESC")
	if err != nil {
		return nil, fmt.Errorf("listing signature bundles: %w", err)
	}
	defer rows.Close()
	var out []Bundle
	for rows.Next() {
		var b Bundle
		var published int64
		if err := rows.Scan(&b.Version, &b.SHA256, &published, &b.Current); err != nil {
			return nil, fmt.Errorf("listing signature bundles: %w", err)
		}
		b.PublishedAt = time.Unix(0, published)
		out = append(out, b)
	}
	return out, rows.Err()
}

// AgentCatalog is the catalog version an agent last reported running.
type AgentCatalog struct {
	AgentID, Hostname, CatalogVersion string
	LastHeartbeat                     time.Time
}

// AgentCatalogs lists, per agent that ever sent a heartbeat, the catalog
// version its last heartbeat reported.
func (s *Store) AgentCatalogs(ctx context.Context) ([]AgentCatalog, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, hostname, COALESCE(json_extract(health, '$.catalogVersion'), ''), last_heartbeat
		FROM agents WHERE last_heartbeat IS NOT NULL AND revoked_at IS NULL ORDER BY hostname, id`)
	if err != nil {
		return nil, fmt.Errorf("listing agents' catalog versions: %w", err)
	}
	defer rows.Close()
	var out []AgentCatalog
	for rows.Next() {
		var a AgentCatalog
		var hb int64
		if err := rows.Scan(&a.AgentID, &a.Hostname, &a.CatalogVersion, &hb); err != nil {
			return nil, fmt.Errorf("listing agents' catalog versions: %w", err)
		}
		a.LastHeartbeat = time.Unix(0, hb)
		out = append(out, a)
	}
	return out, rows.Err()
}
