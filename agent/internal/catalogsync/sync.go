package catalogsync

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2/maybe"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

// Syncer fetches and installs the collector's bundles. One runs per
// agent; Update is called from the heartbeat loop, never concurrently.
type Syncer struct {
	StateDir string
	Live     *signatures.Live
	Log      *slog.Logger
	// refused is the last version refused and when, so a bad bundle is
	// fetched and logged once per retryRefused, not at every heartbeat.
	refused   string
	refusedAt time.Time
}

// retryRefused is how long a refused version is left alone before the
// agent tries it again (the collector may have repaired it).
const retryRefused = 15 * time.Minute

// Update makes the catalog in force match the version the collector
// announced in a heartbeat. It returns the new version when it swapped
// the catalog, "" otherwise. An empty announcement means nothing is
// published: the agent keeps what it runs.
func (s *Syncer) Update(ctx context.Context, conn grpc.ClientConnInterface, announced string) string {
	current := s.Live.Version()
	if announced == "" || announced == current || announced == s.refused && time.Since(s.refusedAt) < retryRefused {
		return ""
	}
	cat, b, err := s.fetch(ctx, conn, announced)
	if err != nil {
		s.refused, s.refusedAt = announced, time.Now()
		s.Log.Error("refused signature bundle; the catalog in force stays", "announced", announced, "catalog_version", current, "err", err)
		return ""
	}
	if err := s.save(b); err != nil {
		s.Log.Warn("signature bundle accepted but not saved; a restart will run the previous catalog", "err", err)
	}
	s.Live.Swap(cat)
	s.refused = ""
	s.Log.Info("signature catalog updated", "from", current, "to", cat.Version(), "services", len(cat.Services()))
	return cat.Version()
}

func (s *Syncer) fetch(ctx context.Context, conn grpc.ClientConnInterface, version string) (*signatures.Catalog, *pb.SignatureBundle, error) {
	key, err := loadTrustedKey(s.StateDir)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := pb.NewSignaturesServiceClient(conn).GetBundle(ctx, &pb.GetBundleRequest{Version: version},
		grpc.MaxCallRecvMsgSize(signatures.MaxBundle+64<<10))
	if err != nil {
		return nil, nil, fmt.Errorf("fetching bundle %s: %w", version, err)
	}
	b := resp.GetBundle()
	cat, err := verify(key, b)
	if err != nil {
		return nil, nil, fmt.Errorf("bundle %s: %w", version, err)
	}
	return cat, b, nil
}

func (s *Syncer) save(b *pb.SignatureBundle) error {
	raw, err := proto.Marshal(b)
	if err != nil {
		return err
	}
	return maybe.WriteFile(filepath.Join(s.StateDir, BundleFile), raw, 0o600)
}
