package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/netsensor"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/pipeline"
	"github.com/shadowai/shadowai/signatures"
)

// liveOptions are the flags of `scan --iface`.
type liveOptions struct {
	iface    string
	duration time.Duration
	noFilter bool
}

func liveFlags(fs *flag.FlagSet) *liveOptions {
	o := &liveOptions{}
	fs.StringVar(&o.iface, "iface", "", "capture live on these interfaces (comma-separated, or \"any\" for all) and print what the network shows; needs root or CAP_NET_RAW")
	fs.DurationVar(&o.duration, "duration", 0, "with --iface: stop after this long (default: until interrupted)")
	fs.BoolVar(&o.noFilter, "no-filter", false, "with --iface: pass every packet to the sensor instead of the built-in kernel filter")
	return o
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanLive(e env, w *observe.Writer, cat *signatures.Catalog, o *liveOptions, attribute func(*observe.Observation) bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	var ai uint64
	var werr error
	started := time.Now()
	cfg := capture.LiveConfig{NoFilter: o.noFilter}
	l, err := netsensor.StartLive(ctx, pipeline.InterfaceList(o.iface), cfg, cat, func(ob *observe.Observation) {
		attribute(ob)
		if ob.AI() {
			ai++
		}
		if werr == nil {
			werr = w.Write(ob)
		}
	})
	if err != nil {
		return err
	}
	runErr := l.Wait()
	st, k := l.Totals()
	fmt.Fprintf(e.stderr, "captured %d packets in %.1f s: %d observations, %d of them AI; kernel passed %d, dropped %d; %d undecodable, %d flows evicted\n",
		st.Packets, time.Since(started).Seconds(), st.Observations, ai, k.Received, k.Drops, st.Undecodable(), st.FlowsEvicted)
	ambiguousSummary(e.stderr, st)
	return errors.Join(runErr, werr, w.Flush())
}
