package cli

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/shadowai/shadowai/agent/internal/netsensor"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/procscan"
	"github.com/shadowai/shadowai/signatures"
)

func scan(e env, args []string) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	pcap := fs.String("pcap", "", "read a pcap or pcapng capture file and print every DNS query name and TLS server name")
	procs := fs.Bool("processes", false, "scan running processes once and print the AI tools among them")
	format := fs.String("format", observe.FormatJSONL, "output format: jsonl or table")
	live := liveFlags(fs)
	if err := parseFlags(e, fs, args, false); err != nil {
		return err
	}
	if err := checkFormat(*format, observe.FormatJSONL, observe.FormatTable); err != nil {
		return err
	}
	if n := btoi(*pcap != "") + btoi(*procs) + btoi(live.iface != ""); n != 1 {
		return usageError("give exactly one of --pcap FILE, --iface NAMES or --processes")
	}
	cat, err := signatures.Embedded()
	if err != nil {
		return fmt.Errorf("loading signature catalog: %w", err)
	}
	w, err := observe.NewWriter(e.stdout, *format)
	if err != nil {
		return err
	}
	if *procs {
		return errors.Join(scanProcesses(w, cat), w.Flush())
	}
	if live.iface != "" {
		return scanLive(e, w, cat, live)
	}
	stats, ai, err := scanPcap(w, cat, *pcap)
	if err := errors.Join(err, w.Flush()); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "scanned %d packets: %d observations, %d of them AI; %d undecodable, %d ClientHellos reassembled from several segments, %d incomplete, %d QUIC ClientHellos, %d flows evicted\n",
		stats.Packets, stats.Observations, ai, stats.Undecodable(), stats.TLSReassembled, stats.TLSIncomplete+stats.QUICIncomplete, stats.QUICHellos, stats.FlowsEvicted)
	return nil
}

func scanPcap(w *observe.Writer, cat *signatures.Catalog, path string) (netsensor.Stats, uint64, error) {
	var werr error
	var ai uint64
	stats, err := netsensor.ReadFile(path, cat, func(o *observe.Observation) {
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

func scanProcesses(w *observe.Writer, cat *signatures.Catalog) error {
	procs, _, err := procscan.Scan(procscan.DefaultRoot)
	if err != nil {
		return fmt.Errorf("scanning processes: %w", err)
	}
	obs := procscan.Match(cat, procs, time.Now())
	for i := range obs {
		if err := w.Write(&obs[i]); err != nil {
			return err
		}
	}
	return nil
}
