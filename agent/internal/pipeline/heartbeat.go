package pipeline

import (
	"context"
	"errors"
	"os"
	"runtime"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/agent/internal/uplink"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// beat builds the heartbeat: versions, OS, uptime, the agent's own CPU and
// memory, spool depth and drops, every counter, and each sensor's state.
func (a *agent) beat(sensors *sensorSet, sender *uplink.Sender, self *selfLimits) *pb.BeatRequest {
	hostname, _ := os.Hostname()
	sp := a.spool.Stats()
	counters := map[string]uint64{
		"observations": a.observations.Load(), "ai_observations": a.aiObservations.Load(),
		"spool_sightings": sp.Sightings, "spool_observations": sp.Observations,
		"spool_max_bytes": uint64(sp.MaxBytes), "spool_dropped_pending": sp.PendingDropped,
		"uptime_seconds": uint64(time.Since(a.started).Seconds()),
	}
	for k, v := range sender.Counters() {
		counters[k] = v
	}
	sensors.counters(counters)
	if st, err := a.endpoint.AttributionStats(); err == nil {
		counters["attribution_lookups"], counters["attribution_hits"], counters["attribution_unknown"] = st.Lookups, st.Hits, st.Unknown
	}
	u := self.last()
	return &pb.BeatRequest{
		AgentVersion: a.opts.AgentVersion, CatalogVersion: a.catalog.Version(), Os: runtime.GOOS,
		Hostname: hostname, StartedAt: timestamppb.New(a.started), SentAt: timestamppb.Now(),
		CpuSeconds: u.CPU.Seconds(), RssBytes: u.RSS,
		SpoolBatches: uint64(sp.Batches), SpoolBytes: uint64(sp.Bytes), SpoolDroppedSightings: sp.DroppedSightings,
		Counters: counters, Sensors: sensors.states(),
	}
}

// heartbeat sends the health report and installs the signature catalog
// the collector announces, if newer; it returns the collector's answer
// (nil when it could not be sent).
func (a *agent) heartbeat(ctx context.Context, conn *grpc.ClientConn, sensors *sensorSet, sender *uplink.Sender, self *selfLimits) *pb.BeatResponse {
	req := a.beat(sensors, sender, self)
	beatCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := pb.NewHeartbeatServiceClient(conn).Beat(beatCtx, req)
	if err != nil {
		if !errors.Is(beatCtx.Err(), context.Canceled) {
			a.opts.Log.Warn("heartbeat failed", "err", uplink.Explain(a.state.Enrollment.Collector, err))
		}
		return nil
	}
	// The bundle fetch has a deadline of its own, not what is left of
	// the beat's.
	a.updateCatalog(ctx, conn, resp.GetCatalogVersion())
	return resp
}
