// Package inventory answers "which AI services are in use, where and by
// whom": filters and windows, effective policies, endpoint health, the
// InventoryService for admins over gRPC, and the table, JSON and CSV
// renderings shared by the CLI and the HTTP API.
package inventory

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Server implements pb.InventoryServiceServer.
type Server struct {
	pb.UnimplementedInventoryServiceServer
	Inv         *Inventory
	SilentAfter time.Duration
	Log         *slog.Logger
}

// Query answers an inventory query.
func (s *Server) Query(ctx context.Context, q *pb.QueryRequest) (*pb.QueryResponse, error) {
	f := Filter{Service: q.GetService(), Vendor: q.GetVendor(), Category: q.GetCategory(), Host: q.GetHost(),
		User: q.GetUser(), Unsanctioned: q.GetUnsanctioned(), New: q.GetNewOnly(), By: q.GetBy(), Limit: int(q.GetLimit())}
	if q.GetSince() != nil {
		f.Since = q.GetSince().AsTime()
	}
	if q.GetUntil() != nil {
		f.Until = q.GetUntil().AsTime()
	}
	if err := f.Check(); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	res, err := s.Inv.Run(ctx, f)
	if err != nil {
		s.Log.Error("inventory query failed", "err", err)
		return nil, status.Error(codes.Internal, "inventory query failed; see the collector log")
	}
	return toProto(res), nil
}

func toProto(res Result) *pb.QueryResponse {
	resp := &pb.QueryResponse{Rows: make([]*pb.InventoryRow, 0, len(res.Rows))}
	if !res.Since.IsZero() {
		resp.Since = timestamppb.New(res.Since)
	}
	if !res.Until.IsZero() {
		resp.Until = timestamppb.New(res.Until)
	}
	for _, r := range res.Rows {
		first, _ := time.Parse(time.RFC3339, r.FirstSeen)
		last, _ := time.Parse(time.RFC3339, r.LastSeen)
		resp.Rows = append(resp.Rows, &pb.InventoryRow{
			Service: r.Service, Name: r.Name, Vendor: r.Vendor, Category: r.Category, Risk: int32(r.Risk),
			Policy: r.Policy, Host: r.Host, HostId: r.HostID, User: r.User, Hosts: r.Hosts, Users: r.Users,
			FirstSeen: timestamppb.New(first), LastSeen: timestamppb.New(last), Count: r.Count,
		})
	}
	return resp
}

// Endpoints lists the endpoints with their health.
func (s *Server) Endpoints(ctx context.Context, _ *pb.EndpointsRequest) (*pb.EndpointsResponse, error) {
	eps, err := Endpoints(ctx, s.Inv.Store, s.SilentAfter, time.Now())
	if err != nil {
		s.Log.Error("endpoints query failed", "err", err)
		return nil, status.Error(codes.Internal, "endpoints query failed; see the collector log")
	}
	resp := &pb.EndpointsResponse{}
	for _, e := range eps {
		resp.Endpoints = append(resp.Endpoints, &pb.Endpoint{AgentId: e.AgentID, HostId: e.HostID, Hostname: e.Hostname,
			Os: e.OS, AgentVersion: e.AgentVersion, EnrolledAt: ts(e.EnrolledAt), LastHeartbeat: ts(e.LastHeartbeat),
			LastSeen: ts(e.LastSeen), Status: e.Status, Detail: e.Detail})
	}
	return resp, nil
}

func ts(s string) *timestamppb.Timestamp {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return timestamppb.New(t)
}
