package procscan

import (
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		in    string
		comm  string
		ppid  int
		start uint64
		ok    bool
	}{
		{"100 (ollama) S 1 100 100 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 1000 1000000 100\n", "ollama", 1, 1000, true},
		{"7 (a) b) (c) R 3 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0", "a) b) (c", 3, 55, true},
		{"8 (short) S 2", "short", 2, 0, true}, // no start time: unknown, not an error
		{"9 (x) S notanumber 1 1 0", "", 0, 0, false},
		{"garbage", "", 0, 0, false},
		{")(", "", 0, 0, false},
	} {
		comm, ppid, start, ok := ParseStat([]byte(tc.in))
		if comm != tc.comm || ppid != tc.ppid || start != tc.start || ok != tc.ok {
			t.Errorf("ParseStat(%q) = %q %d %d %v", tc.in, comm, ppid, start, ok)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("100 (ollama) S 1 100 100 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 1000 1000000 100\n"))
	f.Add([]byte("7 (a) b) (c) R 3 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0"))
	f.Add([]byte("1 () S 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		comm, _, _, ok := ParseStat(b)
		if ok && !strings.Contains(string(b), "("+comm+")") {
			t.Errorf("name %q is not between the parentheses of %q", comm, b)
		}
	})
}

func FuzzParseStatusUID(f *testing.F) {
	f.Add([]byte("Name:\tollama\nUid:\t998\t998\t998\t998\nGid:\t998\t998\t998\t998\n"))
	f.Add([]byte("Uid:\n"))
	f.Add([]byte("Uid:\t-1\t0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		uid := ParseStatusUID(b)
		for _, c := range uid {
			if c < '0' || c > '9' {
				t.Fatalf("uid %q is not a number", uid)
			}
		}
	})
}
