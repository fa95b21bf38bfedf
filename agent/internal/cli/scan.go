package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/shadowai/shadowai/agent/internal/netsensor"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

func scan(e env, args []string) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	pcap := fs.String("pcap", "", "read a pcap or pcapng capture file and print every DNS query name and TLS server name")
	procs := fs.Bool("processes", false, "scan running processes once and print the AI tools among them and the local AI runtimes listening")
	inventory := fs.Bool("inventory", false, "list every user's AI IDE and browser extensions and local model stores")
	var ef endpointFlags
	ef.register(fs)
	format := fs.String("format", observe.FormatJSONL, "output format: jsonl or table")
	live := liveFlags(fs)
	if err := parseFlags(e, fs, args, false); err != nil {
		return err
	}
	if err := checkFormat(*format, observe.FormatJSONL, observe.FormatTable); err != nil {
		return err
	}
	if n := btoi(*pcap != "") + btoi(*procs) + btoi(*inventory) + btoi(live.iface != ""); n != 1 {
		return usageError("give exactly one of --pcap FILE, --iface NAMES, --processes or --inventory")
	}
	cat, err := signatures.Embedded()
	if err != nil {
		return fmt.Errorf("loading signature catalog: %w", err)
	}
	w, err := observe.NewWriter(e.stdout, *format)
	if err != nil {
		return err
	}
	sensors, err := ef.sensors(cat, e)
	if err != nil {
		return err
	}
	switch {
	case *procs:
		return errors.Join(scanProcesses(e, w, sensors), w.Flush())
	case *inventory:
		return errors.Join(scanInventory(e, w, sensors), w.Flush())
	case live.iface != "":
		return scanLive(e, w, cat, live, sensors.Attribute)
	}
	stats, ai, err := scanPcap(w, cat, *pcap, sensors.Attribute)
	if err := errors.Join(err, w.Flush()); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "scanned %d packets: %d observations, %d of them AI; %d undecodable, %d ClientHellos reassembled from several segments, %d incomplete, %d QUIC ClientHellos, %d flows evicted\n",
		stats.Packets, stats.Observations, ai, stats.Undecodable(), stats.TLSReassembled, stats.TLSIncomplete+stats.QUICIncomplete, stats.QUICHellos, stats.FlowsEvicted)
	ambiguousSummary(e.stderr, stats)
	attributionSummary(e.stderr, sensors)
	return nil
}

// ambiguousSummary says how many flows named only from DNS were left
// without a service because their address answered for several services.
func ambiguousSummary(w io.Writer, st netsensor.Stats) {
	if st.IPAmbiguous == 0 {
		return
	}
	fmt.Fprintf(w, "%d of %d flows named from DNS answers went to an address shared by names of different services: no service credited (see attrs.ip_candidates)\n",
		st.IPAmbiguous, st.IPNames)
}

func scanPcap(w *observe.Writer, cat *signatures.Catalog, path string, attribute func(*observe.Observation) bool) (netsensor.Stats, uint64, error) {
	var werr error
	var ai uint64
	stats, err := netsensor.ReadFile(path, cat, func(o *observe.Observation) {
		attribute(o)
		if o.AI() {
			ai++
		}
		if werr == nil {
			werr = w.Write(o)
		}
	})
	if err != nil {
		return stats, ai, fmt.Errorf("%w (after %d packets; the observations before it were printed)", err, stats.Packets)
	}
	if werr != nil {
		return stats, ai, fmt.Errorf("writing output: %w", werr)
	}
	return stats, ai, nil
}
