package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestEffectiveConfig renders the example file's effective configuration
// and compares it with the golden file.
func TestEffectiveConfig(t *testing.T) {
	c, problems := Load("testdata/agent.yaml", true)
	if len(problems) != 0 {
		t.Fatalf("problems in the example: %v", problems)
	}
	got, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "agent.yaml.golden")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, _ := os.ReadFile(golden)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("effective config (-want +got):\n%s", diff)
	}
	// The effective configuration is itself a valid file that means the same.
	again, problems := Parse(got, "rendered")
	if len(problems) != 0 {
		t.Fatalf("rendered config has problems: %v", problems)
	}
	if diff := cmp.Diff(c, again); diff != "" {
		t.Errorf("rendered config reads back differently (-first +again):\n%s", diff)
	}
}

func TestMissingDefaultFileIsFine(t *testing.T) {
	c, problems := Load(filepath.Join(t.TempDir(), "absent.yaml"), false)
	if len(problems) != 0 {
		t.Errorf("problems = %v, want none", problems)
	}
	if diff := cmp.Diff(Defaults(), c); diff != "" {
		t.Errorf("not the defaults (-want +got):\n%s", diff)
	}
	if _, problems := Load(filepath.Join(t.TempDir(), "absent.yaml"), true); len(problems) != 1 {
		t.Errorf("a missing file named explicitly: problems = %v, want one", problems)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings, one per problem
		check      func(Config) bool
	}{
		{"empty file", "", nil, func(c Config) bool { return c.Spool.MaxBytes == 256<<20 }},
		{"not yaml", "state_dir: [", []string{"not valid agent YAML (line 1"}, func(c Config) bool { return c.StateDir == DefaultStateDir() }},
		{"unknown setting", "spool:\n  max_byte: 1MiB\n", []string{"field max_byte not found"}, nil},
		{"bad size", "spool:\n  max_bytes: lots\n", []string{`"lots" is not a size`}, nil},
		{"size too small", "spool:\n  max_bytes: 1KiB\n", []string{"spool.max_bytes: 1KiB is outside 64KiB..64GiB; using 256MiB"}, func(c Config) bool { return c.Spool.MaxBytes == 256<<20 }},
		{"negative window", "aggregate:\n  window: -5s\n", []string{"aggregate.window: -5s is outside"}, func(c Config) bool { return c.Aggregate.Window == 60e9 }},
		{"bad duration", "heartbeat:\n  interval: often\n", []string{"often"}, nil},
		{"bad compression", "uplink:\n  compression: zstd\n", []string{`uplink.compression: "zstd" is not gzip or none`}, nil},
		{"cpu over 100", "limits:\n  cpu_percent: 250\n", []string{"limits.cpu_percent: 250 is outside"}, func(c Config) bool { return c.Limits.CPUPercent == 5 }},
		{"two problems, rest kept", "log_level: loud\nuplink:\n  window: 9999\n  max_backoff: 10s\n",
			[]string{"log_level", "uplink.window"}, func(c Config) bool { return c.Uplink.MaxBackoff == 10e9 && c.LogLevel == "info" }},
		{"sensor off", "sensors:\n  process:\n    enabled: false\n", nil, func(c Config) bool { return !c.Sensors["process"].On() && c.Sensors["process"].Interval == 30e9 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, problems := Parse([]byte(tc.yaml), "agent.yaml")
			if len(problems) != len(tc.want) {
				t.Fatalf("problems = %q, want %d", problems, len(tc.want))
			}
			for i, p := range problems {
				if !strings.Contains(p.Error(), tc.want[i]) {
					t.Errorf("problem %q does not say %q", p, tc.want[i])
				}
				if strings.Contains(p.Error(), "\n") {
					t.Errorf("problem %q is not one line", p)
				}
			}
			if tc.check != nil && !tc.check(c) {
				t.Errorf("config %+v fails the check", c)
			}
		})
	}
}

func TestSize(t *testing.T) {
	for in, want := range map[string]Size{"0": 0, "65536": 65536, "64KiB": 64 << 10, "256 MiB": 256 << 20, "1GiB": 1 << 30, "12B": 12} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5MiB", "MiB", "99999999999TiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("testdata/agent.yaml")
	f.Add(seed)
	f.Add([]byte("spool:\n  max_bytes: 1GiB\n"))
	f.Add([]byte("sensors: {a: {interval: 1h}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _ := Parse(data, "fuzz")
		if c.Spool.MaxBytes <= 0 || c.Aggregate.BatchSize <= 0 || c.Uplink.Window <= 0 || c.StateDir == "" {
			t.Fatalf("unusable config from %q: %+v", data, c)
		}
	})
}
