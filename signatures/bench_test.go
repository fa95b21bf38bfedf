package signatures

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func benchNames(b *testing.B) []string {
	b.Helper()
	f, err := os.Open("testdata/names-mix.txt")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	return names
}

// BenchmarkMatchDomain looks up a realistic mix of names (see
// testdata/names-mix.txt) and reports lookups per second on one core.
func BenchmarkMatchDomain(b *testing.B) {
	c := embeddedCatalog(b)
	names := benchNames(b)
	b.ReportAllocs()
	i, n := 0, 0
	cpu0 := cpuTime()
	for b.Loop() {
		c.MatchDomain(names[i])
		if i++; i == len(names) {
			i = 0
		}
		n++
	}
	reportRates(b, n, cpu0)
}

// BenchmarkMatchDomainMapWalk is the baseline the matcher replaced and the
// way most code does it: lower-case the name into a buffer, then look up
// every suffix, longest first, in a Go map. Compare its lookups/s with
// BenchmarkMatchDomain (make bench-signatures prints the ratio).
func BenchmarkMatchDomainMapWalk(b *testing.B) {
	c := embeddedCatalog(b)
	m := map[string]*Service{}
	for _, s := range c.Services() {
		for _, d := range append(append([]string(nil), s.Domains...), s.Exact...) {
			m[d] = s
		}
	}
	names := benchNames(b)
	b.ReportAllocs()
	i := 0
	var buf [maxName]byte
	total := 0
	cpu0 := cpuTime()
	for b.Loop() {
		name := names[i]
		n := copy(buf[:], name)
		for j := range n {
			buf[j] = lower(buf[j])
		}
		for s := buf[:n]; ; {
			if m[string(s)] != nil {
				break
			}
			k := bytes.IndexByte(s, '.')
			if k < 0 {
				break
			}
			s = s[k+1:]
		}
		if i++; i == len(names) {
			i = 0
		}
		total++
	}
	reportRates(b, total, cpu0)
}

func BenchmarkMatchProcess(b *testing.B) {
	c := embeddedCatalog(b)
	procs := []Process{
		{OS: "linux", Exe: "/usr/bin/bash", Args: []string{"-bash"}},
		{OS: "linux", Exe: "/usr/lib/systemd/systemd-journald"},
		{OS: "linux", Exe: "/usr/bin/node", Args: []string{"node", "/srv/app/server.js"}},
		{OS: "linux", Exe: "/usr/local/bin/ollama", Args: []string{"ollama", "serve"}},
		{OS: "linux", Exe: "/usr/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.MatchProcess(procs[i%len(procs)])
		i++
	}
}

// reportRates reports lookups per wall-clock second and, where measured,
// per CPU second (the per-core rate when other work shares the machine).
func reportRates(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
	if cpu := cpuTime() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "lookups/cpu-s")
	}
}
