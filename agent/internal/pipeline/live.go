package pipeline

import (
	"cmp"
	"context"
	"errors"
	"os"
	"runtime"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/uplink"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Intervals of the live run.
const (
	flushInterval     = 10 * time.Second
	heartbeatInterval = time.Minute
)

// RunLive runs the live sensors and streams their sightings until ctx
// ends; then it spools what is still being merged, so a restart loses
// nothing.
func RunLive(ctx context.Context, o Options) error {
	a, err := open(o)
	if err != nil {
		return err
	}
	conn, err := uplink.Dial(a.state)
	if err != nil {
		return err
	}
	defer conn.Close()
	started := time.Now()
	sender := &uplink.Sender{Conn: conn, Addr: a.state.Enrollment.Collector, Spool: a.spool, Log: o.Log, Window: 8}
	sendErr := make(chan error, 1)
	go func() { sendErr <- sender.Run(ctx, false) }()
	go a.scanProcesses(ctx)
	go a.sniff(ctx)
	flush := time.NewTicker(flushInterval)
	defer flush.Stop()
	beat := time.NewTicker(cmp.Or(o.HeartbeatInterval, heartbeatInterval))
	defer beat.Stop()
	a.heartbeat(ctx, conn, started)
	for {
		select {
		case <-flush.C:
			if _, err := a.spoolClosed(time.Now(), false); err != nil {
				o.Log.Error("spooling sightings failed", "err", err)
			}
		case <-beat.C:
			a.heartbeat(ctx, conn, started)
		case err := <-sendErr:
			a.spoolClosed(time.Time{}, true)
			return err
		case <-ctx.Done():
			n, err := a.spoolClosed(time.Time{}, true)
			o.Log.Info("agent stopping", "spooled_sightings", n, "pending_batches", a.spool.Len())
			return err
		}
	}
}

// scanProcesses runs the endpoint sensors: processes and local runtime
// listeners every 30 s, extensions and model stores at start and daily.
func (a *agent) scanProcesses(ctx context.Context) {
	a.sensors.Run(ctx, func(o *observe.Observation) { a.observe(o) })
}

func (a *agent) heartbeat(ctx context.Context, conn *grpc.ClientConn, started time.Time) {
	hostname, _ := os.Hostname()
	req := &pb.BeatRequest{
		AgentVersion: a.opts.AgentVersion, CatalogVersion: a.catalog.Version(), Os: runtime.GOOS, Hostname: hostname,
		StartedAt: timestamppb.New(started), SentAt: timestamppb.Now(), SpoolBatches: uint64(a.spool.Len()),
		Sensors:  []*pb.SensorState{{Name: "process", State: "running"}, a.net.state()},
		Counters: a.net.counters(),
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := pb.NewHeartbeatServiceClient(conn).Beat(ctx, req)
	if err != nil && !errors.Is(ctx.Err(), context.Canceled) {
		a.opts.Log.Warn("heartbeat failed", "err", uplink.Explain(a.state.Enrollment.Collector, err))
	}
	if err == nil {
		a.updateCatalog(ctx, conn, resp.GetCatalogVersion())
	}
}
