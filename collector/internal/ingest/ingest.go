// Package ingest serves what agents send: IngestService (batches of
// sightings, acknowledged once committed) and HeartbeatService (health).
package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/auth"
	"github.com/shadowai/shadowai/collector/internal/metrics"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// streamWindow is how many batches of one stream may wait for their
// commit at once; the agent's own window is usually smaller.
const streamWindow = 64

// Server implements pb.IngestServiceServer and pb.HeartbeatServiceServer.
type Server struct {
	pb.UnimplementedIngestServiceServer
	pb.UnimplementedHeartbeatServiceServer
	Store *store.Store
	Log   *slog.Logger
	// CatalogVersion returns the current published signature version.
	CatalogVersion func() string
	// Metrics, when set, counts streams, refusals and batch latency.
	Metrics *Metrics
	limit   *limiter
	mu      sync.Mutex // guards draining
	// draining is closed when the collector shuts down.
	draining chan struct{}
}

func (s *Server) drained() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining == nil {
		s.draining = make(chan struct{})
	}
	return s.draining
}

// Drain makes every stream acknowledge what it has in flight and end with
// Unavailable, so a graceful stop does not wait for agents to hang up.
func (s *Server) Drain() {
	ch := s.drained()
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-ch:
	default:
		close(ch)
	}
}

var errDraining = status.Error(codes.Unavailable, "the collector is shutting down: the agent keeps unacknowledged batches and sends them again")

// Metrics are the ingest numbers /metrics shows.
type Metrics struct {
	OpenStreams  *metrics.Gauge
	Refused      *metrics.Counter
	RateLimited  *metrics.Counter
	BatchLatency *metrics.Histogram
}

// NewMetrics registers the ingest metrics.
func NewMetrics(r *metrics.Registry) *Metrics {
	return &Metrics{
		OpenStreams:  r.Gauge("shadowai_ingest_open_streams", "Agent streams open now."),
		Refused:      r.Counter("shadowai_ingest_refused_batches_total", "Batches refused as malformed or oversized."),
		RateLimited:  r.Counter("shadowai_ingest_rate_limited_batches_total", "Batches refused because the agent exceeded its rate."),
		BatchLatency: r.Histogram("shadowai_ingest_batch_seconds", "Time from receiving a batch to its commit.", 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
	}
}

// SetRateLimit bounds each agent to rate sightings per second with the
// given burst; rate 0 removes the limit.
func (s *Server) SetRateLimit(rate float64, burst int) { s.limit = newLimiter(rate, burst) }

// inflight is a batch waiting for its commit.
type inflight struct {
	p        *store.Pending
	seq      uint64
	received time.Time
}

// Stream receives batches and acknowledges each one, in order, after it is
// committed. Receiving goes on while earlier batches commit.
func (s *Server) Stream(stream pb.IngestService_StreamServer) error {
	ctx := stream.Context()
	p, ok := auth.FromContext(ctx)
	if !ok {
		return status.Error(codes.Unauthenticated, "unauthenticated stream")
	}
	agent, err := s.Store.Agent(ctx, p.ID)
	switch {
	case errors.Is(err, store.ErrNoAgent):
		return status.Errorf(codes.PermissionDenied, "agent %s is not enrolled here: enroll it again", p.ID)
	case err != nil:
		s.Log.Error("looking up a streaming agent failed", "agent", p.ID, "err", err)
		return status.Error(codes.Unavailable, "could not look up the agent; the agent keeps its batches and retries")
	}
	if s.Metrics != nil {
		s.Metrics.OpenStreams.Add(1)
		defer s.Metrics.OpenStreams.Add(-1)
	}
	queue := make(chan inflight, streamWindow)
	quit := make(chan struct{})
	recvErr := make(chan error, 1)
	go func() {
		recvErr <- s.receive(ctx, stream, agent, queue, quit)
		close(queue)
	}()
	if err := s.sendAcks(stream, agent.ID, queue, s.drained()); err != nil {
		close(quit)
		return err
	}
	return <-recvErr
}

func (s *Server) receive(ctx context.Context, stream pb.IngestService_StreamServer, agent store.Agent, queue chan<- inflight, quit <-chan struct{}) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		f, err := s.submit(ctx, agent, req.GetBatch())
		if err != nil {
			return err
		}
		select {
		case queue <- f:
		case <-quit:
			return nil
		}
	}
}

// submit checks a batch and hands it to the store's writer.
func (s *Server) submit(ctx context.Context, agent store.Agent, b *pb.Batch) (inflight, error) {
	received := time.Now()
	batch, err := toBatch(agent, b)
	if err != nil {
		s.count(func(m *Metrics) { m.Refused.Add(1) })
		s.Log.Warn("batch refused", "agent", agent.ID, "seq", b.GetSeq(), "err", err)
		return inflight{}, status.Error(codes.InvalidArgument, err.Error())
	}
	if ok, wait := s.limit.take(agent.ID, len(batch.Sightings), received); !ok {
		s.count(func(m *Metrics) { m.RateLimited.Add(1) })
		return inflight{}, status.Errorf(codes.ResourceExhausted,
			"agent %s sends more than %.0f sightings/s: batch %d refused, retry in %.1fs (the agent keeps it)",
			agent.ID, s.limit.rate, batch.Seq, wait.Seconds())
	}
	p, err := s.Store.IngestAsync(ctx, batch)
	if err != nil {
		return inflight{}, status.Error(codes.Unavailable, "the collector could not take the batch; the agent keeps it and retries")
	}
	if batch.Dropped > 0 {
		s.Log.Warn("agent reports dropped sightings", "agent", agent.ID, "dropped", batch.Dropped)
	}
	return inflight{p: p, seq: batch.Seq, received: received}, nil
}

// acker acknowledges one stream's batches.
type acker struct {
	stream  pb.IngestService_StreamServer
	agentID string
	// warned is set once a conflict was logged: an agent whose numbering
	// went back conflicts on every batch until it has moved on.
	warned bool
}

// sendAcks acknowledges batches in the order received, each once its
// transaction has committed. When the collector drains it acknowledges
// what is queued and ends the stream.
func (s *Server) sendAcks(stream pb.IngestService_StreamServer, agentID string, queue <-chan inflight, drain <-chan struct{}) error {
	a := &acker{stream: stream, agentID: agentID}
	for {
		select {
		case f, ok := <-queue:
			if !ok {
				return nil
			}
			if err := s.ack(a, f); err != nil {
				return err
			}
		case <-drain:
			return s.flush(a, queue)
		}
	}
}

func (s *Server) flush(a *acker, queue <-chan inflight) error {
	for {
		select {
		case f, ok := <-queue:
			if !ok {
				return errDraining
			}
			if err := s.ack(a, f); err != nil {
				return err
			}
		default:
			return errDraining
		}
	}
}

func (s *Server) ack(a *acker, f inflight) error {
	res, err := f.p.Wait()
	if err != nil {
		s.Log.Error("batch not committed", "agent", a.agentID, "seq", f.seq, "err", err)
		return status.Error(codes.Unavailable, "the collector could not commit the batch; the agent keeps it and retries")
	}
	s.count(func(m *Metrics) { m.BatchLatency.Observe(time.Since(f.received)) })
	if res.Conflict && !a.warned {
		a.warned = true
		s.Log.Warn("agent reused a batch number with new content (its state dir was probably restored from a backup or snapshot); nothing stored, the agent renumbers and sends it again",
			"agent", a.agentID, "seq", f.seq, "next_seq", res.NextSeq)
	}
	return a.stream.Send(&pb.StreamResponse{Ack: &pb.Ack{Seq: f.seq, Duplicate: res.Duplicate, Conflict: res.Conflict, NextSeq: res.NextSeq}})
}

func (s *Server) count(f func(*Metrics)) {
	if s.Metrics != nil {
		f(s.Metrics)
	}
}
