package pipeline

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/aggregate"
	"github.com/shadowai/shadowai/agent/internal/config"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/spool"
	"github.com/shadowai/shadowai/signatures"
)

// TestCheckpointFailureKeepsSightings: a checkpoint that cannot write (a
// full or failing disk) loses nothing: the windows that had closed are
// spooled by the next checkpoint that can, once.
func TestCheckpointFailureKeepsSightings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	sp, err := spool.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	a := &agent{cfg: config.Defaults(), spool: sp, agg: aggregate.New(time.Minute, "h", "host", "v")}
	svc := &signatures.Service{ID: "openai-chatgpt"}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	add := func(at time.Time) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.dirty = a.agg.Add(&observe.Observation{Time: at, Source: observe.DNS, Domain: "chatgpt.com", Service: svc}) || a.dirty
	}
	add(t0)
	add(t0.Add(time.Second))
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.checkpoint(t0.Add(2*time.Minute), false); err == nil {
		t.Fatal("checkpoint succeeded without its directory")
	}
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
	add(t0.Add(2 * time.Minute))
	if _, err := a.checkpoint(t0.Add(4*time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if st := sp.Stats(); st.Observations != 3 {
		t.Errorf("spooled %d observations in %d sightings, want 3", st.Observations, st.Sightings)
	}
	if n, err := a.checkpoint(t0.Add(5*time.Minute), false); n != 0 || err != nil {
		t.Errorf("a checkpoint with nothing new spooled %d sightings (err %v)", n, err)
	}
}
