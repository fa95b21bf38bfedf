package signatures

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Service is one AI service or tool in the catalog.
type Service struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	Vendor   string `yaml:"-"`
	Category string `yaml:"category"`
	// Domains match the name and all its subdomains.
	Domains []string `yaml:"domains"`
	// Exact domains match only the name itself.
	Exact []string `yaml:"exact"`
	// Exclude names (and their subdomains) that must never match, even
	// when a broader domain of this service covers them.
	Exclude   []string         `yaml:"exclude"`
	Processes []ProcessPattern `yaml:"processes"`
	// Ports are default listening ports of a local runtime (Ollama 11434).
	// A listener on one counts only when its process also matches.
	Ports []int `yaml:"ports"`
	// IDEExtensions are extension ids: VS Code and forks
	// ("publisher.name"), JetBrains plugin ids.
	IDEExtensions []string `yaml:"ide_extensions"`
	// BrowserExtensions are Chrome Web Store ids (32 letters a-p) and
	// Firefox add-on ids.
	BrowserExtensions []string `yaml:"browser_extensions"`
	// Attributes are the documented facts the risk score is computed from.
	Attributes Attributes `yaml:"attributes"`
	// Risk is the 0-100 risk score computed from Attributes; higher is
	// riskier. See Score.
	Risk int `yaml:"-"`
	// Sources say where each fact above comes from: a fact name (domains,
	// processes, ports, ide_extensions, browser_extensions, or an
	// attribute name) to one or more URLs.
	Sources map[string]Refs `yaml:"sources"`
}

// Refs is one URL or a list of URLs.
type Refs []string

// UnmarshalYAML accepts a single string as well as a list.
func (r *Refs) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*r = Refs{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return errors.New("a source is a URL or a list of URLs")
	}
	*r = many
	return nil
}

// Catalog is a compiled set of services.
type Catalog struct {
	version  string
	services []*Service
	byID     map[string]*Service
	domains  domainIndex
	procs    processIndex
	ports    map[int][]*Service
	exts     map[string]*Service
}

// Version identifies the catalog content: the declared version plus a
// content hash, so two different catalogs never share a version.
func (c *Catalog) Version() string { return c.version }

// Services lists every service, sorted by id.
func (c *Catalog) Services() []*Service { return c.services }

// Lookup returns the service with the given id, or nil.
func (c *Catalog) Lookup(id string) *Service { return c.byID[id] }

// Load reads every vendors/*.yaml file in fsys and compiles the catalog.
// declared is the human version ("2026.11.25"); the content hash is appended.
func Load(fsys fs.FS, declared string) (*Catalog, error) {
	files, err := readVendorFiles(fsys)
	if err != nil {
		return nil, err
	}
	var all []*Service
	for _, f := range files {
		svcs, err := parseVendor(f.name, f.data)
		if err != nil {
			return nil, err
		}
		all = append(all, svcs...)
	}
	return compile(declared+"+"+contentHash(files), all)
}

type vendorData struct {
	name string // path inside the catalog tree, "vendors/openai.yaml"
	data []byte
}

// Bounds on a catalog tree, so a hostile bundle cannot make an agent
// unpack gigabytes: one vendor file (real ones are a few KiB) and all.
const (
	maxVendorFile  = 1 << 20
	maxCatalogTree = 32 << 20
)

func readVendorFiles(fsys fs.FS) ([]vendorData, error) {
	names, err := fs.Glob(fsys, "vendors/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("listing vendor files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no vendor files under vendors/: a catalog needs at least one vendors/NAME.yaml")
	}
	slices.Sort(names)
	files := make([]vendorData, 0, len(names))
	total := 0
	for _, name := range names {
		data, err := readBounded(fsys, name, maxVendorFile)
		if err != nil {
			return nil, err
		}
		if total += len(data); total > maxCatalogTree {
			return nil, fmt.Errorf("vendor files add up to more than %d bytes", maxCatalogTree)
		}
		files = append(files, vendorData{name, data})
	}
	return files, nil
}

func contentHash(files []vendorData) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(path.Base(f.name)))
		h.Write(f.data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func compile(version string, all []*Service) (*Catalog, error) {
	c := &Catalog{version: version, byID: make(map[string]*Service, len(all))}
	for _, s := range all {
		if err := validate(s); err != nil {
			return nil, err
		}
		if _, dup := c.byID[s.ID]; dup {
			return nil, fmt.Errorf("service id %q is defined twice", s.ID)
		}
		s.Risk = Score(s.Attributes)
		c.byID[s.ID] = s
	}
	c.services = all
	slices.SortFunc(c.services, func(a, b *Service) int { return strings.Compare(a.ID, b.ID) })
	var err error
	if c.domains, err = buildDomainIndex(c.services); err != nil {
		return nil, err
	}
	if c.procs, err = buildProcessIndex(c.services); err != nil {
		return nil, err
	}
	if c.exts, err = buildExtensionIndex(c.services); err != nil {
		return nil, err
	}
	c.ports = map[int][]*Service{}
	for _, s := range c.services {
		for _, p := range s.Ports {
			c.ports[p] = append(c.ports[p], s)
		}
	}
	return c, nil
}

func validate(s *Service) error {
	switch {
	case s.ID == "":
		return fmt.Errorf("vendor %q: a service has no id", s.Vendor)
	case !validID(s.ID):
		return fmt.Errorf("service %q: id must be lowercase letters, digits and '-'", s.ID)
	case s.Name == "":
		return fmt.Errorf("service %q: missing name", s.ID)
	case categories[s.Category] == "":
		return fmt.Errorf("service %q: unknown category %q (known: %s)", s.ID, s.Category, strings.Join(CategoryIDs(), ", "))
	case len(s.Domains)+len(s.Exact)+len(s.Processes)+len(s.IDEExtensions)+len(s.BrowserExtensions) == 0:
		return fmt.Errorf("service %q: no domains, processes or extensions: nothing could ever match it", s.ID)
	}
	for _, p := range s.Ports {
		if p < 1 || p > 65535 {
			return fmt.Errorf("service %q: port %d is outside 1-65535", s.ID, p)
		}
	}
	if err := s.Attributes.validate(); err != nil {
		return fmt.Errorf("service %q: %w", s.ID, err)
	}
	return validateSources(s)
}

func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
