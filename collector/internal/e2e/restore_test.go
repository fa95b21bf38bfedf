package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoredStateDir: an agent whose state directory comes back from a
// backup (or a VM snapshot) numbers its batches from where the backup
// left off, reusing numbers the collector already committed. Those
// batches hold new sightings; none may be taken for a re-send and lost,
// and what was committed before must not be counted twice. One sighting
// a batch puts several batches in flight at once, reused numbers and new
// ones mixed.
func TestRestoredStateDir(t *testing.T) {
	dir := t.TempDir()
	c, state := enrolled(t, dir, "127.0.0.1:0")
	cfg := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(cfg, []byte("aggregate:\n  batch_size: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "agent-backup")
	copyTree(t, state, backup)

	pcapA, pcapB := basicPcap, "../../../agent/internal/netsensor/testdata/clients.pcap"
	wantA, perA := aiObservations(t, pcapA)
	wantB, perB := aiObservations(t, pcapB)
	mustRun(t, agentBin, "run", "--config", cfg, "--state", state, "--pcap", pcapA)
	if _, total := inventory(t, c.data); total != wantA {
		t.Fatalf("after capture A: inventory total %d, want %d", total, wantA)
	}

	if err := os.RemoveAll(state); err != nil {
		t.Fatal(err)
	}
	copyTree(t, backup, state)
	r := mustRun(t, agentBin, "run", "--config", cfg, "--state", state, "--pcap", pcapB)

	rows, total := inventory(t, c.data)
	if total != wantA+wantB {
		t.Errorf("after the restore and capture B: inventory total %d, want %d (A) + %d (B)\nagent output:\n%s%s", total, wantA, wantB, r.stdout, r.stderr)
	}
	got := map[string]uint64{}
	for _, row := range rows {
		got[row.Service] = row.Count
	}
	for svc := range union(perA, perB) {
		if got[svc] != perA[svc]+perB[svc] {
			t.Errorf("service %s: count %d, want %d from A and %d from B", svc, got[svc], perA[svc], perB[svc])
		}
	}
	if !strings.Contains(r.stderr+r.stdout, "restored from a backup") {
		t.Errorf("the agent did not say its numbering was moved on:\n%s%s", r.stdout, r.stderr)
	}
	c.stop() // its log is complete
	if n := strings.Count(c.log.String(), "restored from a backup"); n != 1 {
		t.Errorf("the collector logged the conflict %d times, want once for the stream:\n%s", n, c.log)
	}
}

func union(a, b map[string]uint64) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// copyTree copies a directory with its files' modes, as a backup would.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(dst, info.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", from, to, err)
	}
}
