package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/collector/internal/loadgen"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// agentStream enrolls one simulated agent and opens an ingest stream.
func agentStream(t *testing.T, c *collector) pb.IngestService_StreamClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	agents, err := loadgen.EnrollAgents(ctx, &loadgen.Collector{Data: c.data, Addr: c.addr}, 1)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(c.addr, grpc.WithTransportCredentials(credentials.NewTLS(agents[0].TLS)),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s, err := pb.NewIngestServiceClient(conn).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func good(n int) []*pb.Sighting {
	now := time.Now().Add(-time.Minute)
	out := make([]*pb.Sighting, n)
	for i := range out {
		out[i] = &pb.Sighting{FirstSeen: timestamppb.New(now), LastSeen: timestamppb.New(now), Count: 1,
			Source: "dns", Domain: "chatgpt.com", Service: "openai-chatgpt", User: "alice"}
	}
	return out
}

// send sends one batch and returns the collector's answer: the ack, or
// the status the stream ended with.
func send(t *testing.T, s pb.IngestService_StreamClient, b *pb.Batch) (*pb.Ack, error) {
	t.Helper()
	if err := s.Send(&pb.StreamRequest{Batch: b}); err != nil {
		_, err = s.Recv()
		return nil, err
	}
	r, err := s.Recv()
	return r.GetAck(), err
}

// TestIngestRefusals: malformed, oversized and too fast batches are
// refused with the right code and a clear message, and nothing of them
// is stored.
func TestIngestRefusals(t *testing.T) {
	c := startWith(t, filepath.Join(t.TempDir(), "collector"), "ingest: {agent_sightings_per_second: 100, agent_burst: 100}\n")
	huge := good(1)
	huge[0].Domain = strings.Repeat("a", 1000)
	many := make([]*pb.Sighting, 70000)
	for i := range many {
		many[i] = huge[0]
	}
	future := good(1)
	future[0].LastSeen = timestamppb.New(time.Now().Add(72 * time.Hour))
	badSvc := good(1)
	badSvc[0].Service = "chat,gpt"
	tests := []struct {
		name  string
		batch *pb.Batch
		code  codes.Code
		says  string
	}{
		{"sequence 0", &pb.Batch{Seq: 0, Sightings: good(1)}, codes.InvalidArgument, "sequence numbers start at 1"},
		{"too many sightings", &pb.Batch{Seq: 1, Sightings: good(10001)}, codes.InvalidArgument, "more than the limit of 10000"},
		{"message over 16 MiB", &pb.Batch{Seq: 1, Sightings: many}, codes.ResourceExhausted, "larger than max"},
		{"clock in the future", &pb.Batch{Seq: 1, Sightings: future}, codes.InvalidArgument, "check the agent's clock"},
		{"service not a catalog id", &pb.Batch{Seq: 1, Sightings: badSvc}, codes.InvalidArgument, "not a catalog id"},
		{"count 0", &pb.Batch{Seq: 1, Sightings: []*pb.Sighting{{Source: "dns", FirstSeen: timestamppb.Now(), LastSeen: timestamppb.Now()}}}, codes.InvalidArgument, "count is 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := send(t, agentStream(t, c), tc.batch)
			if status.Code(err) != tc.code || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %v, want %s saying %q", err, tc.code, tc.says)
			}
		})
	}
	t.Run("rate limit", func(t *testing.T) {
		s := agentStream(t, c)
		if ack, err := send(t, s, &pb.Batch{Seq: 1, Sightings: good(100)}); err != nil || ack.GetSeq() != 1 {
			t.Fatalf("first batch within the burst: %v %v", ack, err)
		}
		_, err := send(t, s, &pb.Batch{Seq: 2, Sightings: good(100)})
		if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "sightings/s") {
			t.Errorf("second batch right after: %v, want ResourceExhausted", err)
		}
	})
	if n := total(queryJSON(t, c.data)); n != 100 {
		t.Errorf("inventory holds %d observations, want only the 100 of the accepted batch", n)
	}
}

// TestGracefulShutdownKeepsAcked: every batch acknowledged before the
// collector is interrupted is in the database after it stops.
func TestGracefulShutdownKeepsAcked(t *testing.T) {
	c := startWith(t, filepath.Join(t.TempDir(), "collector"), "ingest: {agent_sightings_per_second: 0}\n")
	s := agentStream(t, c)
	acked := make(chan uint64, 1000)
	go func() {
		defer close(acked)
		for {
			r, err := s.Recv()
			if err != nil {
				return
			}
			acked <- r.GetAck().GetSeq()
		}
	}()
	for seq := uint64(1); seq <= 200; seq++ {
		if err := s.Send(&pb.StreamRequest{Batch: &pb.Batch{Seq: seq, Sightings: good(500)}}); err != nil {
			break
		}
		if seq == 50 {
			c.cmd.Process.Signal(os.Interrupt)
		}
	}
	var n uint64
	for range acked {
		n++
	}
	c.stop()
	if n == 0 {
		t.Fatal("no batch was acknowledged")
	}
	if got := total(queryJSON(t, c.data)); got < n*500 {
		t.Errorf("after shutdown the inventory has %d observations, fewer than the %d acknowledged", got, n*500)
	}
}
