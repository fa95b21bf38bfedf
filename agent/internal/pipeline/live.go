package pipeline

import (
	"context"
	"time"

	"google.golang.org/grpc"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/uplink"
)

// RunLive runs the live sensors and streams their sightings until ctx
// ends; then it spools what is still being merged, so a restart loses
// nothing. Every flush interval it checkpoints the open windows with the
// closed ones, so a kill -9 loses at most one interval. A collector that
// is away or refuses the agent does not stop it: sightings stay spooled
// (within the spool's bound) and the reason is logged and retried.
func RunLive(ctx context.Context, o Options) error {
	a, err := open(o)
	if err != nil {
		return err
	}
	defer a.spool.Close()
	conn, err := uplink.Dial(a.state, a.cfg.Uplink.Compression)
	if err != nil {
		return err
	}
	defer conn.Close()
	sender := a.sender(conn)
	sender.KeepTrying = true
	sendErr := make(chan error, 1)
	go func() { sendErr <- sender.Run(ctx, false) }()
	sensors := startSensors(ctx, a.cfg, SensorEnv{Catalog: a.catalog, Log: o.Log, Endpoint: a.endpoint}, func(ob *observe.Observation) { a.observe(ob) })
	self := a.newSelfLimits(sensors)
	flush := time.NewTicker(a.cfg.Aggregate.FlushInterval)
	defer flush.Stop()
	beat := time.NewTicker(a.cfg.Heartbeat.Interval)
	defer beat.Stop()
	check := time.NewTicker(self.interval())
	defer check.Stop()
	a.renew(ctx, conn)
	a.heartbeat(ctx, conn, sensors, sender, self)
	for {
		select {
		case now := <-flush.C:
			if _, err := a.checkpoint(now, false); err != nil {
				o.Log.Error("spooling sightings failed", "err", err)
			}
		case <-beat.C:
			a.renew(ctx, conn)
			a.heartbeat(ctx, conn, sensors, sender, self)
		case now := <-check.C:
			self.check(now)
		case err := <-sendErr:
			// With KeepTrying the sender returns only once ctx ends, and
			// then ctx.Done is ready too: stopping is that case's job,
			// which first waits for the sensors' last observations.
			sendErr = nil
			if ctx.Err() == nil {
				o.Log.Error("uplink stopped; sightings stay spooled until the agent restarts", "err", err)
			}
		case <-ctx.Done():
			sensors.wait()
			n, err := a.checkpoint(time.Time{}, true)
			if sendErr != nil {
				<-sendErr // the sender ends with ctx; batches it did not send stay spooled
			}
			o.Log.Info("agent stopping", "spooled_sightings", n, "pending_batches", a.spool.Len())
			return err
		}
	}
}

// renew renews the client certificate when it is due; failures are logged
// and retried at the next heartbeat, long before the certificate expires.
func (a *agent) renew(ctx context.Context, conn *grpc.ClientConn) {
	if _, err := uplink.RenewIfDue(ctx, conn, a.state, a.cfg.Uplink.RenewBefore, a.opts.Log); err != nil && ctx.Err() == nil {
		a.opts.Log.Warn("certificate renewal failed; retrying at the next heartbeat", "err", err, "not_after", a.state.NotAfter().UTC().Format(time.RFC3339))
	}
}
