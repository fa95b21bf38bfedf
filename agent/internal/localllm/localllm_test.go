package localllm

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/procscan"
	"github.com/shadowai/shadowai/agent/internal/sockets"
	"github.com/shadowai/shadowai/agent/internal/users"
	"github.com/shadowai/shadowai/signatures"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const host = "../../testdata/host"

var when = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func testCatalog(t testing.TB) *signatures.Catalog {
	t.Helper()
	cat, err := signatures.Load(os.DirFS("../../testdata/catalog"), "test")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestListenersFakeHost(t *testing.T) {
	procs, _, err := procscan.NewScanner(host+"/proc", users.Open(host)).Scan()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := sockets.NewReader(host + "/proc")
	socks, _, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	obs, st := Listeners(testCatalog(t), socks, procs, when)
	if diff := cmp.Diff(ListenerStats{Listening: 5, Confirmed: 2, Unconfirmed: 1}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	golden(t, "testdata/listeners.golden.jsonl", obs)
}

func TestStoresFakeHost(t *testing.T) {
	homes, err := users.Open(host).Homes()
	if err != nil {
		t.Fatal(err)
	}
	obs, st := Stores(testCatalog(t), homes, when)
	if diff := cmp.Diff(StoreStats{Homes: 5, Stores: 4}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	golden(t, "testdata/stores.golden.jsonl", obs)
}

func golden(t *testing.T, path string, obs []observe.Observation) {
	t.Helper()
	var buf bytes.Buffer
	w, _ := observe.NewWriter(&buf, observe.FormatJSONL)
	for i := range obs {
		w.Write(&obs[i])
	}
	w.Flush()
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
