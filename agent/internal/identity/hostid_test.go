package identity

import (
	"os"
	"strings"
	"testing"
)

func TestParseIOPlatformUUID(t *testing.T) {
	out, err := os.ReadFile("testdata/ioreg.txt")
	if err != nil {
		t.Fatal(err)
	}
	id, err := parseIOPlatformUUID(out)
	if err != nil || id != "564d2c1b-9e5c-4b1a-a3b4-0f2c8d7e6a51" {
		t.Errorf("parseIOPlatformUUID = %q, %v", id, err)
	}
	if _, err := parseIOPlatformUUID([]byte(`"IOPlatformSerialNumber" = "x"`)); err == nil {
		t.Error("output without a UUID accepted")
	}
}

func TestNormaliseID(t *testing.T) {
	for in, want := range map[string]string{
		"0a1b2c\n":                             "0a1b2c",
		" ABCDEF ":                             "abcdef",
		"":                                     "placeholder|empty",
		"00000000-0000-0000-0000-000000000000": "placeholder",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF": "placeholder",
		"uninitialized":                        "placeholder",
		strings.Repeat("a", 200):               "not an id",
	} {
		got, err := normaliseID(in)
		if err != nil {
			if !strings.Contains(want, "placeholder") && !strings.Contains(want, "empty") && !strings.Contains(err.Error(), want) {
				t.Errorf("normaliseID(%q): %v, want %q", in, err, want)
			}
			continue
		}
		if got != want {
			t.Errorf("normaliseID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHostIDStable: the id is the same every time, and not the hostname.
func TestHostIDStable(t *testing.T) {
	dir := t.TempDir()
	a, err := HostID(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := HostID(dir)
	host, _ := os.Hostname()
	if a != b || a == "" || a == host {
		t.Errorf("HostID = %q then %q (hostname %q): want stable, non-empty, not the hostname", a, b, host)
	}
}

func FuzzParseIOPlatformUUID(f *testing.F) {
	out, _ := os.ReadFile("testdata/ioreg.txt")
	f.Add(out)
	f.Fuzz(func(t *testing.T, data []byte) {
		parseIOPlatformUUID(data)
	})
}
