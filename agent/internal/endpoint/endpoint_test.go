package endpoint

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/fixture"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/privacy"
)

func sensors(t *testing.T, p privacy.Options) *Sensors {
	t.Helper()
	return New(fixture.Catalog(t), Options{Root: fixture.Host(), Privacy: p, ProcessInterval: 20 * time.Millisecond})
}

func TestRunFakeHost(t *testing.T) {
	s := sensors(t, privacy.Options{HashUsers: true, Key: "k"})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	var mu sync.Mutex
	count := map[observe.Source]int{}
	s.Run(ctx, func(o *observe.Observation) {
		mu.Lock()
		defer mu.Unlock()
		count[o.Source]++
		if o.User == "alice" || o.User == "bob" {
			t.Errorf("user name not hashed: %+v", o)
		}
	})
	// Inventory once at start; processes and listeners on every tick.
	if count[observe.Extension] != 10 || count[observe.ModelStore] != 4 {
		t.Errorf("inventory counts %v, want 10 extensions and 4 stores once", count)
	}
	if count[observe.Process] < 20 || count[observe.Listener] < 4 {
		t.Errorf("process sensor did not repeat: %v", count)
	}
}

func TestAttributeFakeHost(t *testing.T) {
	s := sensors(t, privacy.Options{})
	o := &observe.Observation{Time: time.Now(), Transport: "udp", Source: observe.DNS}
	o.SrcIP, o.DstIP = netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.1")
	o.SrcPort, o.DstPort = 40000, 53
	if !s.Attribute(o) || o.PID != 210 || o.User != "bob" {
		t.Errorf("not attributed: %+v", o)
	}
	if st, err := s.AttributionStats(); err != nil || st.Hits != 1 {
		t.Errorf("stats %+v %v", st, err)
	}
}
