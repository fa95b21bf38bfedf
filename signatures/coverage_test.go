package signatures

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// refEntry is one row of a reference list.
type refEntry struct {
	list, kind, value string // kind: domain (name and below), full (exact), regexp
}

// minCoverage is the share of each reference list's entries (those not
// excluded with a reason) the catalog must match.
const minCoverage = 0.95

// TestReferenceCoverage measures, per public AI-domain list, how many of
// its entries the catalog matches. Every entry must be matched or listed
// in exclusions.yaml; an excluded entry must not be matched, and every
// exclusion must belong to some list.
func TestReferenceCoverage(t *testing.T) {
	c := embeddedCatalog(t)
	ex, err := LoadExclusions(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	excluded := map[string]string{}
	for _, e := range ex {
		excluded[e.Entry] = e.Reason
	}
	used := map[string]bool{}
	for _, list := range []string{"v2fly", "radiusmethod"} {
		entries := readReference(t, list)
		var matched, skipped int
		var missing []string
		for _, e := range entries {
			hit := covers(c, e)
			reason, isExcluded := excluded[e.value]
			switch {
			case isExcluded && hit:
				t.Errorf("%s %q is matched by %s but excluded (%s): drop the exclusion", list, e.value, c.MatchDomain(probeName(e)).ID, reason)
			case isExcluded:
				skipped++
				used[e.value] = true
			case hit:
				matched++
			default:
				missing = append(missing, e.value)
			}
		}
		cov := float64(matched) / float64(len(entries)-skipped)
		t.Logf("%s: %d entries, %d matched, %d excluded, %d missing: coverage %.1f%% of the entries not excluded (%.1f%% of all)",
			list, len(entries), matched, skipped, len(missing), 100*cov, 100*float64(matched)/float64(len(entries)))
		if cov < minCoverage {
			t.Errorf("%s coverage %.1f%% is below %.0f%%", list, 100*cov, 100*minCoverage)
		}
		for _, m := range missing {
			t.Errorf("%s: %q is neither matched nor in exclusions.yaml", list, m)
		}
	}
	for _, e := range ex {
		if !used[e.Entry] {
			t.Errorf("exclusions.yaml: %q is in no reference list", e.Entry)
		}
	}
}

// covers reports whether the catalog matches a reference entry: for a
// "name and below" entry both the name and a name under it.
func covers(c *Catalog, e refEntry) bool {
	switch e.kind {
	case "full":
		return c.MatchDomain(e.value) != nil
	case "domain":
		return c.MatchDomain(e.value) != nil && c.MatchDomain("shadowai-probe."+e.value) != nil
	case "wildcard":
		return c.MatchDomain(probeName(e)) != nil
	}
	return false
}

// probeName is a concrete name for an entry: "*.x.com" becomes
// "shadowai-probe.x.com", "bedrock.*.amazonaws.com" a name in us-east-1.
func probeName(e refEntry) string {
	if rest, ok := strings.CutPrefix(e.value, "*."); ok {
		return "shadowai-probe." + rest
	}
	return strings.ReplaceAll(e.value, "*", "us-east-1")
}

func readReference(t *testing.T, list string) []refEntry {
	t.Helper()
	if list == "v2fly" {
		return readV2fly(t, filepath.Join("testdata", "reference", "v2fly-category-ai.tsv"))
	}
	var out []refEntry
	files, _ := filepath.Glob(filepath.Join("testdata", "reference", "radiusmethod-*.csv"))
	for _, f := range files {
		out = append(out, readRadius(t, f)...)
	}
	return out
}

func readV2fly(t *testing.T, path string) []refEntry {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []refEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		out = append(out, refEntry{list: "v2fly", kind: fields[0], value: fields[1]})
	}
	return out
}

func readRadius(t *testing.T, path string) []refEntry {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []refEntry
	for _, row := range rows[1:] {
		d := row[0]
		kind := "full"
		if strings.Contains(d, "*") {
			kind = "wildcard"
		}
		out = append(out, refEntry{list: "radiusmethod", kind: kind, value: d})
	}
	return out
}
