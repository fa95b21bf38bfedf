// Command genoffice writes an office-like capture for `make bench-net`:
// clients that look names up, open TLS connections (real Go ClientHellos
// with post-quantum key shares, so split over two segments) and QUIC
// connections (real crypto/tls QUIC ClientHellos in two shuffled Initial
// packets, as Chromium sends them), then move bulk data the sensor must
// skip, many flows at once. The capture is generated at bench time, not
// committed.
//
//	go run ./agent/internal/netsensor/genoffice -o office.pcap -packets 600000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	out := flag.String("o", "office.pcap", "capture file to write")
	packets := flag.Int("packets", 600000, "write at least this many packets")
	names := flag.String("names", "", "also write the names looked up or connected to, one per line, to this file")
	seed := flag.Uint64("seed", 1, "random seed: the same seed writes the same capture")
	flag.Parse()
	if err := run(*out, *names, *packets, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genoffice:", err)
		os.Exit(1)
	}
}

func run(path, namesPath string, packets int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriter(bw)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	g, err := newGenerator(seed)
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := g.write(w, packets)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	slog.Info("wrote capture", "file", path, "packets", n, "flows", g.flows, "seconds", time.Since(start).Seconds())
	if namesPath != "" {
		return g.writeNames(namesPath)
	}
	return nil
}

// write interleaves packets of up to 64 concurrent flows until at least
// target packets are written.
func (g *generator) write(w *pcapgo.Writer, target int) (int, error) {
	var active []*flowGen
	n := 0
	for n < target {
		for len(active) < 64 {
			active = append(active, g.newFlow())
		}
		i := g.r.IntN(len(active))
		pkt, ok := active[i].next()
		if !ok {
			active[i] = active[len(active)-1]
			active = active[:len(active)-1]
			continue
		}
		g.ts = g.ts.Add(time.Duration(2+g.r.IntN(20)) * time.Microsecond)
		ci := gopacket.CaptureInfo{Timestamp: g.ts, CaptureLength: len(pkt), Length: len(pkt)}
		if err := w.WritePacket(ci, pkt); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
