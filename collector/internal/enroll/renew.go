package enroll

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/auth"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Renew issues a fresh certificate to an agent authenticated by its
// current one (the guard has checked its role and that it is not revoked),
// for the same key it holds on this connection.
func (s *Server) Renew(ctx context.Context, req *pb.RenewRequest) (*pb.RenewResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.ID == "" {
		return nil, status.Error(codes.Unauthenticated, "renewal needs the agent's current certificate")
	}
	der, cert, err := s.CA.SignAgent(req.GetCsrDer(), p.Key, p.ID)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "renewal request refused: %v", err)
	}
	err = s.Store.RenewAgent(ctx, p.ID, cert.SerialNumber.Text(16), cert.NotAfter)
	switch {
	case errors.Is(err, store.ErrNoAgent):
		return nil, status.Errorf(codes.PermissionDenied, "agent %s is not enrolled here or was revoked: enroll it again with a new token", p.ID)
	case err != nil:
		s.Log.Error("renewal not recorded", "agent", p.ID, "err", err)
		return nil, status.Error(codes.Unavailable, "could not record the renewal; the agent retries later")
	}
	s.Log.Info("agent certificate renewed", "agent", p.ID, "not_after", cert.NotAfter.Format(time.RFC3339))
	return &pb.RenewResponse{CertificateDer: der, CaDer: s.CA.CA.Raw}, nil
}
