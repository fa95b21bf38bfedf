package ingest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/auth"
	"github.com/shadowai/shadowai/collector/internal/pki"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// fakeStream is an agent's stream that sends nothing.
type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (f *fakeStream) Context() context.Context         { return f.ctx }
func (f *fakeStream) Recv() (*pb.StreamRequest, error) { return nil, io.EOF }
func (f *fakeStream) Send(*pb.StreamResponse) error    { return nil }

// TestStreamLookupFailureIsUnavailable: when the database cannot say who
// the agent is, the stream ends with Unavailable (retry soon), not with
// PermissionDenied telling the agent it is not enrolled.
func TestStreamLookupFailureIsUnavailable(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close() // every lookup now fails
	s := &Server{Store: st, Log: slog.New(slog.DiscardHandler)}
	ctx := auth.NewContext(context.Background(), auth.Peer{ID: "agt-1", Role: pki.RoleAgent})
	err = s.Stream(&fakeStream{ctx: ctx})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("stream with the database down: %v, want Unavailable", err)
	}
}
