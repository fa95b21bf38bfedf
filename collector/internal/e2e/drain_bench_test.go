package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMeasureDrainHourBacklog measures how long a restarted collector
// takes to receive an agent's 1-hour backlog: a busy hour of 200 distinct
// AI names a minute (12,000 sightings in 12 batches of 1000) spooled while
// the collector was down, then drained at the default pace (1 MiB/s,
// gzip). It is a measurement, not a check: `make measure-drain` runs it
// (SHADOWAI_MEASURE=1); make test skips it.
func TestMeasureDrainHourBacklog(t *testing.T) {
	if os.Getenv("SHADOWAI_MEASURE") == "" {
		t.Skip("a measurement: run `make measure-drain`")
	}
	const perMinute, minutes = 200, 60
	dir := t.TempDir()
	listen := freePort(t)
	c, state := enrolled(t, dir, listen)
	pcap := filepath.Join(dir, "hour.pcap")
	writeCapture(t, pcap, perMinute*minutes, func(i int) (string, time.Time) {
		m, j := i/perMinute, i%perMinute
		return fmt.Sprintf("n%d.%s", j, aiDomains[j%len(aiDomains)]), genStart.Add(time.Duration(m)*time.Minute + time.Duration(j)*time.Millisecond)
	})
	c.stop()
	run(t, agentBin, "run", "--state", state, "--pcap", pcap, "--wait", "1s") // spools, cannot send
	status := mustRun(t, agentBin, "status", "--state", state).stdout
	c = startCollector(t, c.data, listen)
	start := time.Now()
	r := mustRun(t, agentBin, "run", "--state", state, "--pcap", pcap)
	drain := time.Since(start)
	if !strings.Contains(r.stdout, "already ingested") {
		t.Fatalf("drain run read the capture again: %s", r.stdout)
	}
	if _, total := inventory(t, c.data); total != perMinute*minutes {
		t.Errorf("inventory total %d, want %d", total, perMinute*minutes)
	}
	line := status[strings.Index(status, "spool:"):]
	fmt.Printf("1-hour backlog: %s", line)
	fmt.Printf("drained in %.2f s: %.0f sightings/s; drain time / hour covered = %.5f\n",
		drain.Seconds(), perMinute*minutes/drain.Seconds(), drain.Seconds()/3600)
}
