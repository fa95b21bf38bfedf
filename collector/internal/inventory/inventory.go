// Package inventory answers "which AI services are in use, where and by
// whom": the InventoryService for admins over gRPC, and the table, JSON
// and CSV renderings of the CLI.
package inventory

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Server implements pb.InventoryServiceServer.
type Server struct {
	pb.UnimplementedInventoryServiceServer
	Store *store.Store
}

// Query returns the inventory by service.
func (s *Server) Query(ctx context.Context, q *pb.QueryRequest) (*pb.QueryResponse, error) {
	if q.GetBy() != "" && q.GetBy() != "service" {
		return nil, status.Errorf(codes.InvalidArgument, "grouping by %q is not supported: use by=service", q.GetBy())
	}
	if q.GetSince() != nil || q.GetUntil() != nil || q.GetService() != "" || q.GetVendor() != "" ||
		q.GetCategory() != "" || q.GetHost() != "" || q.GetUser() != "" || q.GetUnsanctioned() || q.GetNewOnly() {
		return nil, status.Error(codes.InvalidArgument, "inventory filters are not supported by this collector version")
	}
	rows, err := s.Store.Inventory(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, "inventory query failed; see the collector log")
	}
	resp := &pb.QueryResponse{Rows: make([]*pb.InventoryRow, 0, len(rows))}
	for _, r := range rows {
		resp.Rows = append(resp.Rows, &pb.InventoryRow{
			Service: r.Service, Name: r.Name, Vendor: r.Vendor, Category: r.Category, Risk: int32(r.Risk),
			Hosts: r.Hosts, Users: r.Users, FirstSeen: timestamppb.New(r.FirstSeen), LastSeen: timestamppb.New(r.LastSeen),
			Count: r.Count,
		})
	}
	return resp, nil
}
