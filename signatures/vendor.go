package signatures

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// vendorFile is one vendors/NAME.yaml document. Facts that hold for every
// service of the vendor (its jurisdiction) are given once, with their
// source, and inherited by the services.
type vendorFile struct {
	Vendor       string          `yaml:"vendor"`
	Jurisdiction string          `yaml:"jurisdiction"`
	Sources      map[string]Refs `yaml:"sources"`
	Services     []*Service      `yaml:"services"`
}

func parseVendor(name string, data []byte) ([]*Service, error) {
	var vf vendorFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&vf); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	if vf.Vendor == "" {
		return nil, fmt.Errorf("%s: missing top-level vendor name", name)
	}
	for k := range vf.Sources {
		if k != "jurisdiction" {
			return nil, fmt.Errorf("%s: vendor-level sources may only back jurisdiction, not %q", name, k)
		}
	}
	if vf.Jurisdiction != "" && len(vf.Sources["jurisdiction"]) == 0 {
		return nil, fmt.Errorf("%s: vendor jurisdiction %q has no source (sources: {jurisdiction: URL})", name, vf.Jurisdiction)
	}
	for i, s := range vf.Services {
		if s == nil {
			return nil, fmt.Errorf("%s: service #%d is empty", name, i+1)
		}
		s.Vendor = vf.Vendor
		// A user-content host serves third parties' apps: the platform's
		// jurisdiction says nothing about who runs them.
		if s.Attributes.Jurisdiction == "" && vf.Jurisdiction != "" && s.Category != "user_content" {
			s.Attributes.Jurisdiction = vf.Jurisdiction
			if s.Sources == nil {
				s.Sources = map[string]Refs{}
			}
			if len(s.Sources["jurisdiction"]) == 0 {
				s.Sources["jurisdiction"] = vf.Sources["jurisdiction"]
			}
		}
	}
	return vf.Services, nil
}

// factNames are the keys a service's sources may use.
var factNames = []string{
	"domains", "processes", "ports", "ide_extensions", "browser_extensions",
	"trains_on_user_data", "enterprise_controls", "jurisdiction", "attestations", "account_free", "local",
}

// validateSources requires a source for every fact the service states,
// and a well-formed https URL for every source.
func validateSources(s *Service) error {
	for k, refs := range s.Sources {
		if !slices.Contains(factNames, k) {
			return fmt.Errorf("service %q: sources has unknown fact %q (known: %s)", s.ID, k, strings.Join(factNames, ", "))
		}
		if len(refs) == 0 {
			return fmt.Errorf("service %q: sources.%s is empty", s.ID, k)
		}
		for _, r := range refs {
			if u, err := url.Parse(r); err != nil || u.Scheme != "https" || u.Host == "" {
				return fmt.Errorf("service %q: sources.%s: %q is not an https URL", s.ID, k, r)
			}
		}
	}
	for _, f := range statedFacts(s) {
		if len(s.Sources[f]) == 0 {
			return fmt.Errorf("service %q: %s has no source: add sources: {%s: URL}", s.ID, f, f)
		}
	}
	return nil
}

// statedFacts lists the facts a service states, by source key.
func statedFacts(s *Service) []string {
	a := s.Attributes
	stated := map[string]bool{
		"domains":             len(s.Domains)+len(s.Exact)+len(s.Exclude) > 0,
		"processes":           len(s.Processes) > 0,
		"ports":               len(s.Ports) > 0,
		"ide_extensions":      len(s.IDEExtensions) > 0,
		"browser_extensions":  len(s.BrowserExtensions) > 0,
		"trains_on_user_data": a.TrainsOnUserData != "" && a.TrainsOnUserData != TrainsUnknown,
		"enterprise_controls": a.EnterpriseControls != nil,
		"jurisdiction":        a.Jurisdiction != "",
		"attestations":        len(a.Attestations) > 0,
		"account_free":        a.AccountFree != nil,
		"local":               a.Local,
	}
	var out []string
	for _, f := range factNames {
		if stated[f] {
			out = append(out, f)
		}
	}
	return out
}

// readBounded reads a file of the catalog tree, refusing one larger than
// limit bytes.
func readBounded(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, nil
}
