package limits

import (
	"strings"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	b := Budget{CPUPercent: 5, MemoryBytes: 100 << 20, Window: time.Minute}
	tests := []struct {
		name string
		// cpu per 10 s step, in milliseconds, and RSS in MiB
		cpuMs []int
		rss   uint64
		want  string // "" for no verdict at the last step
	}{
		{"idle", []int{0, 10, 10, 10, 10, 10, 10}, 30, ""},
		{"burst then idle", []int{0, 2000, 10, 10, 10, 10, 10}, 30, ""},
		{"busy but window not full", []int{0, 1000, 1000}, 30, ""},
		{"busy for a whole window", []int{0, 1000, 1000, 1000, 1000, 1000, 1000}, 30, "cpu: CPU 10.0% of one core over 1m0s"},
		{"memory at once", []int{0}, 150, "memory: resident memory 150 MiB over the budget of 100 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWatch(b)
			var cpu time.Duration
			var got *Over
			for i, ms := range tc.cpuMs {
				cpu += time.Duration(ms) * time.Millisecond
				got = w.Check(t0.Add(time.Duration(i)*10*time.Second), Usage{CPU: cpu, RSS: tc.rss << 20})
			}
			switch {
			case tc.want == "" && got != nil:
				t.Errorf("verdict %+v, want none", got)
			case tc.want != "" && (got == nil || !strings.HasPrefix(got.Resource+": "+got.Detail, tc.want)):
				t.Errorf("verdict %+v, want %q", got, tc.want)
			}
		})
	}
}

func TestParseProc(t *testing.T) {
	stat := []byte("4242 (shadowai agent) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 12 0 100 1000000 2560 18446744073709551615")
	u, err := parseProc(stat, []byte("5000 2560 300 100 0 900 0\n"), 4096)
	if err != nil {
		t.Fatal(err)
	}
	if u.CPU != 3*time.Second || u.RSS != 2560*4096 {
		t.Errorf("usage = %+v, want 3s CPU and 10 MiB", u)
	}
	for _, bad := range []string{"", "12 (x", "12 (x) S 1"} {
		if _, err := parseProc([]byte(bad), []byte("1 2"), 4096); err == nil {
			t.Errorf("parseProc(%q) succeeded", bad)
		}
	}
}

func TestSelf(t *testing.T) {
	u, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if u.RSS < 1<<20 {
		t.Errorf("RSS %d bytes is implausibly small", u.RSS)
	}
}

func FuzzParseProc(f *testing.F) {
	f.Add([]byte("1 (a) S 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 1 1"), []byte("10 5 1 1 0 1 0"))
	f.Fuzz(func(t *testing.T, stat, statm []byte) {
		parseProc(stat, statm, 4096)
	})
}
