package netsensor

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

const conformanceDir = "testdata/conformance"

// oneOracle holds the decision for each name that only one oracle reports
// and the sensor does not, by capture and "channel\tname" ("*" for every
// such name of the capture).
var oneOracle = map[string]map[string]string{
	"dns-invalid-chars.pcap": {"*": "the name has control bytes; the sensor writes them as \\DDD " +
		"(www.allyourbasesare\\001\\002\\003ongto.cn) where tshark prints '?'"},
	"dns-tunnel-iodine.pcap": {"*": "iodine's labels are binary; the sensor escapes them as \\DDD " +
		"where tshark prints raw bytes, so the strings differ though the names are the same"},
	"dns_ambiguous_names.pcap": {"dns\t_.teams.microsoft.com": "the wire name is *.teams.microsoft.com " +
		"(reported, as tshark does); nDPI rewrites '*' to '_'"},
	"dns_invert_query.pcapng": {"dns\t216.58.202.4": "an inverse query (opcode 1, obsolete since RFC 3425) " +
		"asks for the name of an address: it is not a lookup of a name"},
}

// channel maps an observation to the oracle channel it answers to.
func channel(o *observe.Observation) string {
	if o.Source == observe.EncryptedDNS {
		if via := o.Attrs["via"]; via != "" {
			return via
		}
		return "dns"
	}
	return string(o.Source)
}

func TestConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "*.pcap"))
	ng, _ := filepath.Glob(filepath.Join(conformanceDir, "*.pcapng"))
	files = append(files, ng...)
	if len(files) == 0 {
		t.Fatal("no conformance captures")
	}
	for _, path := range files {
		base := filepath.Base(path)
		t.Run(base, func(t *testing.T) {
			got := scanNames(t, path)
			tshark := readNames(t, path+".tshark.names")
			ndpi := readNames(t, path+".ndpi.names")
			for n := range tshark {
				if ndpi[n] && !got[n] {
					t.Errorf("missed %q, which tshark and nDPI both report", n)
				}
			}
			for n := range symDiff(tshark, ndpi) {
				if got[n] {
					continue
				}
				reason := oneOracle[base][n]
				if reason == "" {
					reason = oneOracle[base]["*"]
				}
				if reason == "" {
					t.Errorf("missed %q, reported by one oracle, with no recorded decision", n)
				}
			}
		})
	}
}

// scanNames reads a capture, failing on a hang, and returns the names
// found as "channel\tname".
func scanNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(path, catalog(t), func(o *observe.Observation) {
			got[channel(o)+"\t"+o.Domain] = true
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Logf("%s: %v (counted, not fatal: damaged captures are expected here)", path, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no result after 30 s: the sensor hangs", path)
	}
	return got
}

func readNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if ch, name, ok := strings.Cut(sc.Text(), "\t"); ok {
			names[ch+"\t"+strings.ToLower(name)] = true
		}
	}
	return names
}

func symDiff(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	for k := range b {
		if !a[k] {
			out[k] = true
		}
	}
	return out
}
