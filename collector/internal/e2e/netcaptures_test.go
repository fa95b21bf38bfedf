package e2e

import (
	"path/filepath"
	"testing"
)

// TestCountRuleOnNetworkCaptures holds the end-to-end count rule on the
// network sensor's real-client capture: Chromium's split ClientHellos and
// retransmitted QUIC Initials with GREASE ECH, DNS over TCP and IPv6. The
// inventory total equals the number of `scan --pcap` observations with a
// service.
func TestCountRuleOnNetworkCaptures(t *testing.T) {
	for _, pcap := range []string{"../../../agent/internal/netsensor/testdata/clients.pcap"} {
		t.Run(filepath.Base(pcap), func(t *testing.T) {
			want, perService := aiObservations(t, pcap)
			dir := t.TempDir()
			c := startCollector(t, filepath.Join(dir, "collector"), "127.0.0.1:0")
			state := filepath.Join(dir, "agent")
			mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
			mustRun(t, agentBin, "run", "--state", state, "--pcap", pcap)
			rows, total := inventory(t, c.data)
			if total != want {
				t.Errorf("inventory total %d, want %d (scan's observations with a service)", total, want)
			}
			for _, r := range rows {
				if r.Count != perService[r.Service] {
					t.Errorf("service %s: count %d, want %d", r.Service, r.Count, perService[r.Service])
				}
			}
		})
	}
}
