package auth

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/pki"
)

// countingStream receives messages forever.
type countingStream struct {
	grpc.ServerStream
	n int
}

func (c *countingStream) RecvMsg(any) error { c.n++; return nil }

func TestRevokedDuringStream(t *testing.T) {
	revoked := false
	g := &Guard{Revoked: func(ctx context.Context, id string) error {
		if revoked {
			return status.Errorf(codes.PermissionDenied, "agent %s was revoked", id)
		}
		return nil
	}}
	ctx := NewContext(context.Background(), Peer{ID: "agt-1", Role: pki.RoleAgent})
	inner := &countingStream{}
	s := g.streamFor(&wrappedStream{ServerStream: inner, ctx: ctx})
	saved := RecheckInterval
	RecheckInterval = time.Hour
	defer func() { RecheckInterval = saved }()
	revoked = true
	if err := s.RecvMsg(nil); err != nil {
		t.Fatalf("checked again before the interval: %v", err)
	}
	RecheckInterval = 0
	err := s.RecvMsg(nil)
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("after revocation: %v, want PermissionDenied", err)
	}
	admin := g.streamFor(&wrappedStream{ServerStream: inner, ctx: NewContext(context.Background(), Peer{ID: "ops", Role: pki.RoleAdmin})})
	if err := admin.RecvMsg(nil); err != nil {
		t.Errorf("an admin stream was checked for agent revocation: %v", err)
	}
}
