package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shadowai/shadowai/agent/internal/aggregate"
	"github.com/shadowai/shadowai/agent/internal/pipeline"
)

func run(e env, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	o := pipeline.Options{AgentVersion: Version, Log: e.log()}
	fs.StringVar(&o.StateDir, "state", "", "agent state directory (as given to enroll)")
	pcap := fs.String("pcap", "", "read this capture file instead of running live sensors; exit once every sighting is acknowledged")
	force := fs.Bool("force", false, "with --pcap: read the file again even if it was already ingested")
	wait := fs.Duration("wait", 2*time.Minute, "with --pcap: how long to keep trying to reach the collector")
	fs.DurationVar(&o.Window, "window", aggregate.DefaultWindow, "aggregation window")
	fs.DurationVar(&o.HeartbeatInterval, "heartbeat", time.Minute, "live: how often to report health and check for a new signature catalog")
	iface := fs.String("iface", "any", "live network capture on these interfaces (comma-separated, or \"any\")")
	fs.BoolVar(&o.Endpoint.Privacy.HashUsers, "hash-users", false, "send user names as a hash (keyed by $"+userHashKeyEnv+" when set)")
	if err := parseFlags(e, fs, args, false); err != nil {
		return err
	}
	if o.StateDir == "" {
		return usageError("--state DIR is required")
	}
	o.Interfaces = interfaces(*iface)
	o.Endpoint.Privacy.Key = os.Getenv(userHashKeyEnv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *pcap == "" {
		return pipeline.RunLive(ctx, o)
	}
	ctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	res, err := pipeline.RunPcap(ctx, o, *pcap, *force)
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(e.stdout, "%s was already ingested; spooled batches sent\n", *pcap)
	} else {
		fmt.Fprintf(e.stdout, "read %d packets: %d AI observations in %d sightings, all acknowledged by the collector\n",
			res.Stats.Packets, res.AIObservations, res.Sightings)
	}
	return nil
}
