// Package enroll serves EnrollmentService: it trades a one-time token and
// a certificate request for an agent certificate.
package enroll

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/auth"
	"github.com/shadowai/shadowai/collector/internal/pki"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/proto/token"
)

// Server implements pb.EnrollmentServiceServer.
type Server struct {
	pb.UnimplementedEnrollmentServiceServer
	CA    *pki.Authority
	Store *store.Store
	Log   *slog.Logger
	// SigningKey is the public key of the collector's bundle signing key,
	// handed to every agent it enrolls.
	SigningKey ed25519.PublicKey
}

// Bounds on what an enrolling agent may claim about itself.
const maxField = 256

// Enroll checks the token, signs the agent's key and records the agent.
func (s *Server) Enroll(ctx context.Context, req *pb.EnrollRequest) (*pb.EnrollResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "no client key on this connection")
	}
	tok, err := token.Parse(req.GetToken())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if tok.CAFingerprint != pki.Fingerprint(s.CA.CA) {
		return nil, status.Error(codes.FailedPrecondition, "this token was created by a different collector: create one on this collector with `shadowai-collector token create`")
	}
	if err := checkClaims(req); err != nil {
		return nil, err
	}
	id := newAgentID()
	der, cert, err := s.CA.SignAgent(req.GetCsrDer(), p.Key, id)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "certificate request refused: %v", err)
	}
	err = s.Store.Enroll(ctx, tok.Hash(), store.Agent{
		ID: id, HostID: req.GetHostId(), Hostname: req.GetHostname(), OS: req.GetOs(),
		Version: req.GetAgentVersion(), CertSerial: cert.SerialNumber.Text(16), CertNotAfter: cert.NotAfter,
	})
	switch {
	case errors.Is(err, store.ErrTokenUnknown), errors.Is(err, store.ErrTokenUsed), errors.Is(err, store.ErrTokenExpired):
		s.Log.Warn("enrollment refused", "host", req.GetHostname(), "reason", err)
		return nil, status.Error(codes.PermissionDenied, err.Error())
	case err != nil:
		s.Log.Error("enrollment failed", "err", err)
		return nil, status.Error(codes.Internal, "could not record the enrollment; see the collector log")
	}
	s.Log.Info("agent enrolled", "agent", id, "host", req.GetHostname(), "host_id", req.GetHostId(), "not_after", cert.NotAfter.Format(time.RFC3339))
	return &pb.EnrollResponse{AgentId: id, CertificateDer: der, CaDer: s.CA.CA.Raw, CatalogSigningKey: s.SigningKey}, nil
}

func checkClaims(req *pb.EnrollRequest) error {
	for name, v := range map[string]string{"host_id": req.GetHostId(), "hostname": req.GetHostname(), "os": req.GetOs(), "agent_version": req.GetAgentVersion()} {
		if len(v) > maxField {
			return status.Errorf(codes.InvalidArgument, "%s is longer than %d bytes", name, maxField)
		}
	}
	if req.GetHostId() == "" {
		return status.Error(codes.InvalidArgument, "host_id is empty: the agent must identify its host")
	}
	return nil
}

func newAgentID() string {
	var b [8]byte
	rand.Read(b[:])
	return "agt-" + hex.EncodeToString(b[:])
}
