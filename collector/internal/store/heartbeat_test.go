package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestHeartbeatsGroupCommit: heartbeats share the group writer with
// batches, and RecordHeartbeat returns only once the heartbeat is
// committed, so a reader sees it right after.
func TestHeartbeatsGroupCommit(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agent := fmt.Sprintf("agt-%d", i%3+1)
			if i%4 == 0 {
				ingest(t, st, agent, fmt.Sprintf("h%d", i%3+1), uint64(i+1), sighting("chatgpt", "alice", day0, 1))
				return
			}
			health := fmt.Sprintf(`{"beat":%d}`, i)
			if err := st.RecordHeartbeat(ctx, agent, "", "", "", health, time.Now()); err != nil {
				t.Error(err)
				return
			}
			a, err := st.Agent(ctx, agent)
			if err != nil || a.LastHeartbeat.IsZero() || a.Health == "" {
				t.Errorf("right after its heartbeat, %s reads %+v (%v)", agent, a, err)
			}
		}()
	}
	wg.Wait()
	ws := st.WriterStats()
	if ws.Heartbeats.Load() != 45 || ws.Batches.Load() != 15 {
		t.Errorf("writer committed %d heartbeats and %d batches, want 45 and 15", ws.Heartbeats.Load(), ws.Batches.Load())
	}
	if err := st.RecordHeartbeat(ctx, "agt-1", "renamed", "", "", "{}", time.Now()); err != nil {
		t.Fatal(err)
	}
	if a, _ := st.Agent(ctx, "agt-1"); a.Hostname != "renamed" || a.OS != "linux" {
		t.Errorf("after a heartbeat with a hostname only: %+v", a)
	}
	st.Close()
	if err := st.RecordHeartbeat(ctx, "agt-1", "", "", "", "{}", time.Now()); !errors.Is(err, ErrClosed) {
		t.Errorf("heartbeat after close: %v, want ErrClosed", err)
	}
}
