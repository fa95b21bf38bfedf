package signatures

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Exclusion is a reference-list entry the catalog deliberately does not
// match, with the reason. The reference lists (testdata/reference) are
// public AI-domain lists the catalog's coverage is measured against.
type Exclusion struct {
	// Entry is the list's value exactly as written ("*.slack.com",
	// "browser-intake-datadoghq.com", a v2fly regexp).
	Entry string `yaml:"entry"`
	// Reason is one of ExclusionReasons.
	Reason string `yaml:"reason"`
	// Note says why, for a person.
	Note string `yaml:"note"`
}

// ExclusionReasons are the accepted reasons:
//
//	telemetry  analytics or crash reporting, not use of the service
//	not-ai     the name belongs to something that is not an AI service
//	dead       the service was shut down
//	shared     the name serves a general product or many customers, so a
//	           match would flag use that has nothing to do with AI
//	pattern    a regular expression the catalog's name rules cannot express
var ExclusionReasons = []string{"telemetry", "not-ai", "dead", "shared", "pattern"}

// ExclusionsFile is where the exclusions live in the catalog tree.
const ExclusionsFile = "exclusions.yaml"

// LoadExclusions reads and checks the exclusions file.
func LoadExclusions(fsys fs.FS) ([]Exclusion, error) {
	data, err := readBounded(fsys, ExclusionsFile, maxVendorFile)
	if err != nil {
		return nil, err
	}
	var ex []Exclusion
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&ex); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", ExclusionsFile, err)
	}
	seen := map[string]bool{}
	for i, e := range ex {
		switch {
		case e.Entry == "":
			return nil, fmt.Errorf("%s: exclusion #%d has no entry", ExclusionsFile, i+1)
		case !slices.Contains(ExclusionReasons, e.Reason):
			return nil, fmt.Errorf("%s: %q: reason %q is not one of %v", ExclusionsFile, e.Entry, e.Reason, ExclusionReasons)
		case e.Note == "":
			return nil, fmt.Errorf("%s: %q: a note must say why it is excluded", ExclusionsFile, e.Entry)
		case seen[e.Entry]:
			return nil, fmt.Errorf("%s: %q is listed twice", ExclusionsFile, e.Entry)
		}
		seen[e.Entry] = true
	}
	return ex, nil
}
