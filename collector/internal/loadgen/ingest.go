package loadgen

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/collector/internal/fleetsim"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// IngestResult is one ingest measurement.
type IngestResult struct {
	Streams   int
	Sightings int
	Elapsed   time.Duration
	P50, P99  time.Duration
}

// Rate is sightings per second.
func (r IngestResult) Rate() float64 { return float64(r.Sightings) / r.Elapsed.Seconds() }

// EnrollAgents enrolls n simulated agents with a running collector.
func EnrollAgents(ctx context.Context, c *Collector, n int) ([]Agent, error) {
	toks, err := mintTokens(c.Data, n)
	if err != nil {
		return nil, err
	}
	agents := make([]Agent, n)
	for i, tok := range toks {
		if agents[i], err = enroll(ctx, c.Addr, tok, fmt.Sprintf("bench-host-%05d", i)); err != nil {
			return nil, err
		}
	}
	return agents, nil
}

// Sightings makes n plausible sightings (from fleetsim) in the order
// agents send them: host after host, each a busy week of its own user's
// use (about 400 sightings a day), so a batch holds one host's days.
func Sightings(n int) []*pb.Sighting {
	f := fleetsim.New(7, 1000, store.DayOf(time.Now())-7, 7)
	var out []*pb.Sighting
	for h := 0; len(out) < n; h = (h + 1) % len(f.Hosts) {
		for d := 0; d < 7; d++ {
			f.Day(h, d, 400, func(x store.Sighting) {
				out = append(out, &pb.Sighting{FirstSeen: timestamppb.New(x.FirstSeen), LastSeen: timestamppb.New(x.LastSeen),
					Count: x.Count, Source: x.Source, Domain: x.Domain, Service: x.Service, User: x.User,
					Process: &pb.Process{Pid: 4242, Exe: "/usr/lib/firefox/firefox", Name: "firefox"},
					SrcIp:   "10.1.2.3", DstIp: "104.18.32.47", DstPort: x.DstPort, CatalogVersion: "2026.11.25"})
			})
		}
	}
	return out[:n]
}

// Ingest streams perStream batches of batch sightings from each of the
// agents at once (one stream each), keeping window batches in flight per
// stream, and measures the rate and the acknowledgement latency.
func Ingest(ctx context.Context, addr string, agents []Agent, pool []*pb.Sighting, batch, window, perStream int) (IngestResult, error) {
	return ingestFrom(ctx, addr, agents, pool, batch, window, perStream, 0)
}

// ingestFrom is Ingest with sequence numbers starting after seq0.
func ingestFrom(ctx context.Context, addr string, agents []Agent, pool []*pb.Sighting, batch, window, perStream int, seq0 uint64) (IngestResult, error) {
	conns, streams, err := openStreams(ctx, addr, agents)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if err != nil {
		return IngestResult{}, err
	}
	var wg sync.WaitGroup
	lat := make([][]time.Duration, len(streams))
	errs := make([]error, len(streams))
	start := time.Now()
	for i, s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i], errs[i] = drive(s, pool, i, batch, window, perStream, seq0)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, e := range errs {
		if e != nil {
			return IngestResult{}, e
		}
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	return IngestResult{Streams: len(streams), Sightings: len(streams) * perStream * batch, Elapsed: elapsed,
		P50: pct(all, 0.50), P99: pct(all, 0.99)}, nil
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func openStreams(ctx context.Context, addr string, agents []Agent) ([]*grpc.ClientConn, []pb.IngestService_StreamClient, error) {
	var conns []*grpc.ClientConn
	var streams []pb.IngestService_StreamClient
	for _, a := range agents {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(a.TLS)))
		if err != nil {
			return conns, nil, err
		}
		conns = append(conns, conn)
		s, err := pb.NewIngestServiceClient(conn).Stream(ctx)
		if err != nil {
			return conns, nil, fmt.Errorf("opening stream of %s: %w", a.ID, err)
		}
		streams = append(streams, s)
	}
	return conns, streams, nil
}

// drive sends n batches on one stream and returns each batch's time from
// send to acknowledgement.
func drive(s pb.IngestService_StreamClient, pool []*pb.Sighting, stream, batch, window, n int, seq0 uint64) ([]time.Duration, error) {
	sent := make(map[uint64]time.Time, window)
	var mu sync.Mutex // guards sent
	slots := make(chan struct{}, window)
	recvErr := make(chan error, 1)
	lat := make([]time.Duration, 0, n)
	go func() {
		for len(lat) < n {
			r, err := s.Recv()
			if err != nil {
				recvErr <- fmt.Errorf("stream %d after %d acks: %w", stream, len(lat), err)
				return
			}
			mu.Lock()
			lat = append(lat, time.Since(sent[r.GetAck().GetSeq()]))
			delete(sent, r.GetAck().GetSeq())
			mu.Unlock()
			<-slots
		}
		recvErr <- nil
	}()
	for seq := seq0 + 1; seq <= seq0+uint64(n); seq++ {
		select {
		case slots <- struct{}{}:
		case err := <-recvErr:
			return nil, err
		}
		off := (stream*7919 + int(seq)*batch) % (len(pool) - batch)
		req := &pb.StreamRequest{Batch: &pb.Batch{Seq: seq, Digest: digest(stream, seq), Sightings: pool[off : off+batch]}}
		mu.Lock()
		sent[seq] = time.Now()
		mu.Unlock()
		if err := s.Send(req); err != nil {
			return nil, fmt.Errorf("stream %d sending batch %d: %w", stream, seq, err)
		}
	}
	err := <-recvErr
	s.CloseSend()
	return lat, err
}

// digest stands in for the content digest an agent gives every batch, so
// the collector does its per-batch digest lookup as with real agents. It
// is unique per batch, as real ones are, without hashing the sightings on
// the machine that runs the collector.
func digest(stream int, seq uint64) []byte {
	var in [16]byte
	binary.BigEndian.PutUint64(in[:], uint64(stream))
	binary.BigEndian.PutUint64(in[8:], seq)
	d := sha256.Sum256(in[:])
	return d[:]
}
