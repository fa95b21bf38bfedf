package bundles

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Server implements pb.SignaturesServiceServer.
type Server struct {
	pb.UnimplementedSignaturesServiceServer
	Store *store.Store
	Log   *slog.Logger
}

// maxVersion bounds a requested version string.
const maxVersion = 256

// GetBundle returns the requested (or current) bundle.
func (s *Server) GetBundle(ctx context.Context, req *pb.GetBundleRequest) (*pb.GetBundleResponse, error) {
	if len(req.GetVersion()) > maxVersion {
		return nil, status.Errorf(codes.InvalidArgument, "version is longer than %d bytes", maxVersion)
	}
	var b store.Bundle
	var err error
	if req.GetVersion() == "" {
		b, err = s.Store.CurrentBundle(ctx)
	} else {
		b, err = s.Store.BundleByVersion(ctx, req.GetVersion())
	}
	switch {
	case errors.Is(err, store.ErrNoBundle) && req.GetVersion() == "":
		return nil, status.Error(codes.NotFound, "no signature bundle has been published on this collector; agents use their embedded catalog")
	case errors.Is(err, store.ErrNoBundle):
		return nil, status.Errorf(codes.NotFound, "no signature bundle with version %q on this collector", req.GetVersion())
	case err != nil:
		s.Log.Error("reading signature bundle failed", "version", req.GetVersion(), "err", err)
		return nil, status.Error(codes.Unavailable, "could not read the signature bundle; retry later")
	}
	return &pb.GetBundleResponse{Bundle: &pb.SignatureBundle{
		Version: b.Version, Content: b.Content, Sha256: b.SHA256, Signature: b.Signature, PublicKey: b.PublicKey,
	}}, nil
}

// CurrentVersion is the version heartbeats announce: the current bundle's,
// or "" when none is published (agents keep their embedded catalog).
func (s *Server) CurrentVersion() string {
	v, err := s.Store.CurrentBundleVersion(context.Background())
	if err != nil {
		s.Log.Error("reading the current bundle version failed", "err", err)
		return ""
	}
	return v
}
