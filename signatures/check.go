package signatures

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Check is the catalog's governance check (make signatures-check): it
// loads the tree in fsys the way agents do (strict schema, value checks,
// domain syntax, public suffixes and shared apexes, duplicate ids, domains
// and extension ids), then looks for what loading allows but a reviewer
// should not: one service's rule inside another vendor's domain, the same
// process pattern or name in two services, and a broken exclusions file.
// It returns the compiled catalog and every problem found.
func Check(fsys fs.FS) (*Catalog, []string) {
	declared, err := readDeclared(fsys)
	if err != nil {
		return nil, []string{err.Error()}
	}
	cat, err := Load(fsys, declared)
	if err != nil {
		return nil, []string{err.Error()}
	}
	var problems []string
	problems = append(problems, vendorsInTwoFiles(fsys)...)
	problems = append(problems, crossVendorOverlaps(cat)...)
	problems = append(problems, duplicatePatterns(cat)...)
	if _, err := fs.Stat(fsys, ExclusionsFile); err == nil {
		if _, err := LoadExclusions(fsys); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return cat, problems
}

// crossVendorOverlaps reports rules that fall under another vendor's
// subtree rule: the more specific rule would silently take names from the
// other vendor's service. Nesting inside one vendor (api.openai.com under
// openai.com) is how a vendor splits its services and is allowed.
func crossVendorOverlaps(c *Catalog) []string {
	var out []string
	for _, s := range c.Services() {
		for _, d := range slices.Concat(s.Domains, s.Exact, s.Exclude) {
			for parent := parentOf(d); parent != ""; parent = parentOf(parent) {
				n := c.domains.find(suffixHash(parent), parent)
				if n != nil && n.subtree != nil && n.subtree.Vendor != s.Vendor {
					out = append(out, fmt.Sprintf("service %q: %s lies inside %s of %q (vendor %s): move it to that vendor or drop one", s.ID, d, parent, n.subtree.ID, n.subtree.Vendor))
				}
			}
		}
	}
	return out
}

func parentOf(d string) string {
	if i := strings.IndexByte(d, '.'); i >= 0 {
		return d[i+1:]
	}
	return ""
}

// duplicatePatterns reports process patterns and display names used by
// two services: the matcher would credit only the first.
func duplicatePatterns(c *Catalog) []string {
	var out []string
	patterns := map[string]string{}
	names := map[string]string{}
	for _, s := range c.Services() {
		if prev, ok := names[strings.ToLower(s.Name)]; ok {
			out = append(out, fmt.Sprintf("services %q and %q share the name %q", prev, s.ID, s.Name))
		}
		names[strings.ToLower(s.Name)] = s.ID
		for _, p := range s.Processes {
			k := strings.ToLower(fmt.Sprintf("%+v", p))
			if prev, ok := patterns[k]; ok && prev != s.ID {
				out = append(out, fmt.Sprintf("services %q and %q have the same process pattern %+v", prev, s.ID, p))
			}
			patterns[k] = s.ID
		}
	}
	return out
}

// vendorsInTwoFiles reports a vendor declared by more than one file: the
// catalog keeps one file per vendor.
func vendorsInTwoFiles(fsys fs.FS) []string {
	files, err := readVendorFiles(fsys)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	seen := map[string]string{}
	for _, f := range files {
		var vf struct {
			Vendor string `yaml:"vendor"`
		}
		if err := yaml.Unmarshal(f.data, &vf); err != nil {
			continue // Load reported it
		}
		if prev, ok := seen[vf.Vendor]; ok {
			out = append(out, fmt.Sprintf("vendor %q is declared by %s and %s: keep one file per vendor", vf.Vendor, prev, f.name))
		}
		seen[vf.Vendor] = f.name
	}
	return out
}
