package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/protobuf/proto"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/agent/internal/spool"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Sender streams spooled batches to the collector.
type Sender struct {
	Conn  *grpc.ClientConn
	Addr  string
	Spool *spool.Spool
	Log   *slog.Logger
	// Window is how many batches may await acknowledgement at once.
	Window int
	// MaxBackoff caps the wait between reconnection attempts.
	MaxBackoff time.Duration
	// RateBytes bounds how fast batches go out, in bytes per second (0:
	// unbounded), so a backlog after an outage drains at a pace the
	// collector can take from a whole fleet.
	RateBytes int
	// KeepTrying makes errors retrying cannot fix (revoked, refused) wait
	// MaxBackoff and try again instead of ending Run: a service keeps
	// spooling and says why it cannot send, rather than exiting into a
	// restart loop.
	KeepTrying bool

	limiter                            *rate.Limiter
	isolate                            bool // send one batch at a time to find one the collector refuses
	warned                             bool // a conflict was logged on this stream
	sent, acked, duplicates, reconnect atomic.Uint64
	refused, conflicts                 atomic.Uint64
}

// Counters are the sender's totals for the heartbeat.
func (s *Sender) Counters() map[string]uint64 {
	return map[string]uint64{
		"batches_sent": s.sent.Load(), "batches_acked": s.acked.Load(),
		"batches_duplicate": s.duplicates.Load(), "reconnects": s.reconnect.Load(),
		"batches_refused": s.refused.Load(), "seq_conflicts": s.conflicts.Load(),
	}
}

// Run sends pending batches and keeps sending new ones, reconnecting with
// jittered exponential backoff. With untilEmpty it returns nil as soon as
// every batch is acknowledged. It returns early on errors that retrying
// cannot fix (revoked, not enrolled) and when ctx ends.
func (s *Sender) Run(ctx context.Context, untilEmpty bool) error {
	backoff := newBackoff(500*time.Millisecond, s.maxBackoff())
	if s.RateBytes > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(s.RateBytes), s.RateBytes)
	}
	var lastErr error
	for {
		if untilEmpty && s.Spool.Len() == 0 {
			return nil
		}
		progress, inflight, err := s.session(ctx, untilEmpty)
		if err == nil {
			return nil
		}
		if s.refusedBatch(err, progress, inflight) {
			continue
		}
		if ctx.Err() != nil {
			if lastErr == nil {
				lastErr = err
			}
			return fmt.Errorf("%d batches still spooled: %w", s.Spool.Len(), Explain(s.Addr, lastErr))
		}
		lastErr = err
		if progress {
			backoff.reset()
		}
		wait := backoff.next()
		switch {
		case permanent(err) && !s.KeepTrying:
			return Explain(s.Addr, err)
		case permanent(err):
			wait = s.maxBackoff()
			s.Log.Error("collector refuses this agent; sightings stay spooled", "err", Explain(s.Addr, err), "retry_in_s", wait.Seconds(), "spooled_batches", s.Spool.Len())
		default:
			s.Log.Warn("collector stream interrupted; retrying", "err", Explain(s.Addr, err), "retry_in_s", wait.Seconds(), "spooled_batches", s.Spool.Len())
		}
		s.reconnect.Add(1)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%d batches still spooled: %w", s.Spool.Len(), Explain(s.Addr, lastErr))
		}
	}
}

func (s *Sender) maxBackoff() time.Duration {
	if s.MaxBackoff > 0 {
		return s.MaxBackoff
	}
	return time.Minute
}

func permanent(err error) bool {
	switch status.Code(err) {
	case codes.PermissionDenied, codes.Unauthenticated, codes.InvalidArgument, codes.Unimplemented:
		return true
	}
	return false
}

// refusedBatch handles the collector refusing a batch as invalid (a bug
// or a version skew, never fixed by retrying): the next sessions send one
// batch at a time, and the batch that is refused alone is set aside and
// counted as dropped, so one bad batch cannot block every later one. A
// refusal with no batch in flight is not about a batch: it is left to the
// caller's backoff, like any other error retrying cannot fix.
func (s *Sender) refusedBatch(err error, progress bool, inflight []uint64) bool {
	if status.Code(err) != codes.InvalidArgument || len(inflight) == 0 {
		s.isolate = s.isolate && !progress
		return false
	}
	if s.isolate && !progress && len(inflight) == 1 {
		reason := Explain(s.Addr, err).Error()
		if rerr := s.Spool.Refuse(inflight[0], reason); rerr != nil {
			s.Log.Error("could not set a refused batch aside", "seq", inflight[0], "err", rerr)
			return false
		}
		s.refused.Add(1)
		s.Log.Error("collector refused a batch; set aside and counted as dropped", "seq", inflight[0], "reason", reason)
	}
	s.isolate = true
	return true
}

// session runs one stream until it fails or, with untilEmpty, until the
// spool is empty. progress reports whether any batch was acknowledged;
// inflight lists the batches sent but not acknowledged when it ended.
func (s *Sender) session(ctx context.Context, untilEmpty bool) (progress bool, inflight []uint64, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := pb.NewIngestServiceClient(s.Conn).Stream(ctx, grpc.WaitForReady(false))
	if err != nil {
		return false, nil, err
	}
	acks, recvErr := receiveAcks(stream)
	s.warned = false
	sent := map[uint64]bool{}
	defer func() {
		for seq := range sent {
			s.Spool.Release(seq)
			inflight = append(inflight, seq)
		}
	}()
	progress, err = s.exchange(ctx, stream, untilEmpty, sent, acks, recvErr)
	return progress, nil, err
}

// exchange sends batches and takes acknowledgements until the stream
// fails or, with untilEmpty, nothing is left.
func (s *Sender) exchange(ctx context.Context, stream pb.IngestService_StreamClient, untilEmpty bool, inflight map[uint64]bool, acks <-chan *pb.Ack, recvErr <-chan error) (progress bool, err error) {
	sendErr := error(nil)
	for {
		if sendErr == nil {
			sendErr = s.fill(stream, inflight)
		}
		// A send fails with io.EOF when the collector ended the stream; the
		// reason (revoked, expired, ...) then comes with the receive side.
		if sendErr != nil && !errors.Is(sendErr, io.EOF) {
			return progress, sendErr
		}
		if sendErr == nil && untilEmpty && len(inflight) == 0 && s.Spool.Len() == 0 {
			stream.CloseSend()
			return progress, nil
		}
		notify := s.Spool.Notify()
		if sendErr != nil {
			notify = nil
		}
		select {
		case ack := <-acks:
			if err := s.acknowledge(ack, inflight); err != nil {
				return progress, err
			}
			progress = true
		case err := <-recvErr:
			return progress, err
		case <-notify:
		case <-ctx.Done():
			return progress, ctx.Err()
		}
	}
}

// acknowledge deletes a batch the collector committed, and renumbers one
// whose number it had committed with other content.
func (s *Sender) acknowledge(ack *pb.Ack, inflight map[uint64]bool) error {
	seq := ack.GetSeq()
	if !inflight[seq] {
		return fmt.Errorf("collector acknowledged batch %d, which was not sent on this stream", seq)
	}
	delete(inflight, seq)
	if ack.GetConflict() {
		return s.renumber(seq, ack.GetNextSeq())
	}
	if err := s.Spool.Ack(seq); err != nil {
		return err
	}
	s.acked.Add(1)
	if ack.GetDuplicate() {
		s.duplicates.Add(1)
	}
	return nil
}

// renumber keeps a batch the collector did not store because its number
// was taken: the agent's numbering went back, which happens when its
// state directory is restored from a backup or a VM snapshot. The batch
// moves past every number the collector or this agent has used and goes
// out again with the next fill. Later batches of the window may conflict
// too; each moves past the last.
func (s *Sender) renumber(seq, next uint64) error {
	to, err := s.Spool.Renumber(seq, next)
	if err != nil {
		return fmt.Errorf("renumbering batch %d, whose number the collector already used: %w", seq, err)
	}
	s.conflicts.Add(1)
	if !s.warned {
		s.warned = true
		s.Log.Warn("the collector already has this agent's batch numbers with other sightings: the state dir was probably restored from a backup; numbering moved on and the batches are sent again",
			"seq", seq, "new_seq", to, "collector_next_seq", next)
	}
	return nil
}

// fill sends pending batches until the window is full.
func (s *Sender) fill(stream pb.IngestService_StreamClient, inflight map[uint64]bool) error {
	window := max(s.Window, 1)
	if s.isolate {
		window = 1
	}
	for _, seq := range s.Spool.Pending() {
		if len(inflight) >= window {
			return nil
		}
		if inflight[seq] {
			continue
		}
		b, err := s.Spool.Read(seq)
		if errors.Is(err, spool.ErrNotPending) {
			continue // dropped to make room since Pending listed it
		}
		if errors.Is(err, spool.ErrCorrupt) {
			s.Log.Error("skipping damaged spooled batch", "err", err)
			continue
		}
		if err != nil {
			return err
		}
		inflight[seq] = true // from here on Release returns it if the stream breaks
		if err := s.pace(stream.Context(), proto.Size(b)); err != nil {
			return err
		}
		if err := stream.Send(&pb.StreamRequest{Batch: b}); err != nil {
			return err
		}
		s.sent.Add(1)
	}
	return nil
}

// pace waits until n more bytes may go out.
func (s *Sender) pace(ctx context.Context, n int) error {
	if s.limiter == nil {
		return nil
	}
	return s.limiter.WaitN(ctx, min(n, s.limiter.Burst()))
}

func receiveAcks(stream pb.IngestService_StreamClient) (<-chan *pb.Ack, <-chan error) {
	acks := make(chan *pb.Ack)
	errc := make(chan error, 1)
	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				errc <- err
				return
			}
			select {
			case acks <- r.GetAck():
			case <-stream.Context().Done():
				errc <- stream.Context().Err()
				return
			}
		}
	}()
	return acks, errc
}

// backoff is capped exponential backoff with ±50% jitter, so a fleet that
// lost its collector does not reconnect in lockstep.
type backoff struct {
	base, cap, cur time.Duration
}

func newBackoff(base, cap time.Duration) *backoff { return &backoff{base: base, cap: cap, cur: base} }

func (b *backoff) reset() { b.cur = b.base }

func (b *backoff) next() time.Duration {
	d := b.cur
	b.cur = min(b.cur*2, b.cap)
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}
