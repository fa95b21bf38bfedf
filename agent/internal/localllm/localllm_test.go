package localllm

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/agent/internal/fixture"
	"github.com/shadowai/shadowai/agent/internal/procscan"
	"github.com/shadowai/shadowai/agent/internal/sockets"
	"github.com/shadowai/shadowai/agent/internal/users"
)

var host = fixture.Host()

var when = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestListenersFakeHost(t *testing.T) {
	procs, _, err := procscan.NewScanner(filepath.Join(host, "proc"), users.Open(host)).Scan()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := sockets.NewReader(filepath.Join(host, "proc"))
	socks, _, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	obs, st := Listeners(fixture.Catalog(t), socks, procs, when)
	if diff := cmp.Diff(ListenerStats{Listening: 5, Confirmed: 2, Unconfirmed: 1}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	fixture.Golden(t, "testdata/listeners.golden.jsonl", fixture.JSONL(obs))
}

func TestStoresFakeHost(t *testing.T) {
	homes, err := users.Open(host).Homes()
	if err != nil {
		t.Fatal(err)
	}
	obs, st := Stores(fixture.Catalog(t), homes, when)
	if diff := cmp.Diff(StoreStats{Homes: 5, Stores: 4}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	fixture.Golden(t, "testdata/stores.golden.jsonl", fixture.JSONL(obs))
}
