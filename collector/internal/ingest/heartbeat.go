package ingest

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/collector/internal/auth"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// maxHealthJSON bounds the stored health document of one agent.
const maxHealthJSON = 64 << 10

// Beat records an agent's health and tells it the current catalog version.
func (s *Server) Beat(ctx context.Context, req *pb.BeatRequest) (*pb.BeatResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "unauthenticated heartbeat")
	}
	health, err := protojson.Marshal(req)
	if err != nil || len(health) > maxHealthJSON {
		return nil, status.Errorf(codes.InvalidArgument, "heartbeat is larger than %d bytes", maxHealthJSON)
	}
	if len(req.GetHostname()) > maxString || len(req.GetOs()) > maxString || len(req.GetAgentVersion()) > maxString {
		return nil, status.Error(codes.InvalidArgument, "heartbeat field too long")
	}
	now := time.Now()
	if err := s.Store.RecordHeartbeat(ctx, p.ID, req.GetHostname(), req.GetOs(), req.GetAgentVersion(), string(health), now); err != nil {
		s.Log.Error("heartbeat not recorded", "agent", p.ID, "err", err)
		return nil, status.Error(codes.Unavailable, "could not record the heartbeat")
	}
	resp := &pb.BeatResponse{ServerTime: timestamppb.New(now)}
	if s.CatalogVersion != nil {
		resp.CatalogVersion = s.CatalogVersion()
	}
	return resp, nil
}
