package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWrite(t *testing.T) {
	var r Registry
	c := r.Counter("x_total", "Things.")
	g := r.Gauge("open", "Open things.")
	h := r.Histogram("lat_seconds", "Latency.", 0.01, 0.1)
	c.Add(3)
	g.Add(2)
	g.Add(-1)
	h.Observe(5 * time.Millisecond)
	h.Observe(50 * time.Millisecond)
	h.Observe(time.Second)
	var b strings.Builder
	r.Write(&b)
	want := `# HELP x_total Things.
# TYPE x_total counter
x_total 3
# HELP open Open things.
# TYPE open gauge
open 1
# HELP lat_seconds Latency.
# TYPE lat_seconds histogram
lat_seconds_bucket{le="0.01"} 1
lat_seconds_bucket{le="0.1"} 2
lat_seconds_bucket{le="+Inf"} 3
lat_seconds_sum 1.055
lat_seconds_count 3
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("exposition (-want +got):\n%s", diff)
	}
}
