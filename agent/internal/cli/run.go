package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shadowai/shadowai/agent/internal/pipeline"
)

func run(e env, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	cf := addConfigFlags(fs)
	pcap := fs.String("pcap", "", "read this capture file instead of running live sensors; exit once every sighting is acknowledged")
	force := fs.Bool("force", false, "with --pcap: read the file again even if it was already ingested")
	wait := fs.Duration("wait", 2*time.Minute, "with --pcap: how long to keep trying to reach the collector")
	window := fs.Duration("window", 0, "aggregation window (overrides aggregate.window)")
	heartbeat := fs.Duration("heartbeat", 0, "live: how often to report health and check for a new signature catalog (overrides heartbeat.interval)")
	hashUsers := fs.Bool("hash-users", false, "send user names as a hash (keyed by $"+userHashKeyEnv+" when set)")
	iface := fs.String("iface", "", "live network capture on these interfaces, comma-separated, or \"any\" (overrides sensors.network.options.interfaces)")
	asService := fs.Bool("service", false, "run under the OS service manager (as `shadowai-agent install` sets up)")
	if err := parseFlags(e, fs, args, false); err != nil {
		return err
	}
	if *asService {
		return runService(e, cf)
	}
	cfg, log := cf.load(e)
	if *window > 0 {
		cfg.Aggregate.Window = *window
	}
	if *heartbeat > 0 {
		cfg.Heartbeat.Interval = *heartbeat
	}
	if *iface != "" {
		cfg.Sensors = withOption(cfg.Sensors, "network", "interfaces", *iface)
	}
	o := pipeline.Options{Config: cfg, AgentVersion: Version, Log: log}
	o.Endpoint.Privacy.HashUsers, o.Endpoint.Privacy.Key = *hashUsers, os.Getenv(userHashKeyEnv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *pcap == "" {
		return pipeline.RunLive(ctx, o)
	}
	res, err := pipeline.RunPcap(ctx, o, *pcap, *force, *wait)
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
