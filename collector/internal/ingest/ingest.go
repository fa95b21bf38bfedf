// Package ingest serves what agents send: IngestService (batches of
// sightings, acknowledged once committed) and HeartbeatService (health).
package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/auth"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Server implements pb.IngestServiceServer and pb.HeartbeatServiceServer.
type Server struct {
	pb.UnimplementedIngestServiceServer
	pb.UnimplementedHeartbeatServiceServer
	Store *store.Store
	Log   *slog.Logger
	// CatalogVersion returns the current published signature version.
	CatalogVersion func() string
}

// Stream receives batches and acknowledges each one after it is committed.
func (s *Server) Stream(stream pb.IngestService_StreamServer) error {
	ctx := stream.Context()
	p, ok := auth.FromContext(ctx)
	if !ok {
		return status.Error(codes.Unauthenticated, "unauthenticated stream")
	}
	agent, err := s.Store.Agent(ctx, p.ID)
	if err != nil {
		return status.Errorf(codes.PermissionDenied, "agent %s is not enrolled here: enroll it again", p.ID)
	}
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		ack, err := s.commit(ctx, agent, req.GetBatch())
		if err != nil {
			return err
		}
		if err := stream.Send(&pb.StreamResponse{Ack: ack}); err != nil {
			return err
		}
	}
}

func (s *Server) commit(ctx context.Context, agent store.Agent, b *pb.Batch) (*pb.Ack, error) {
	batch, err := toBatch(agent, b)
	if err != nil {
		s.Log.Warn("batch refused", "agent", agent.ID, "seq", b.GetSeq(), "err", err)
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	dup, err := s.Store.IngestBatch(ctx, batch)
	if err != nil {
		s.Log.Error("batch not committed", "agent", agent.ID, "seq", batch.Seq, "err", err)
		return nil, status.Error(codes.Unavailable, "the collector could not commit the batch; the agent keeps it and retries")
	}
	if dup {
		s.Log.Debug("duplicate batch acknowledged again", "agent", agent.ID, "seq", batch.Seq)
	}
	if batch.Dropped > 0 {
		s.Log.Warn("agent reports dropped sightings", "agent", agent.ID, "dropped", batch.Dropped)
	}
	return &pb.Ack{Seq: batch.Seq, Duplicate: dup}, nil
}
