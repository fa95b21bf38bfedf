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

	"go.yaml.in/yaml/v3"
)

// Categories a service can belong to. The id is what the wire and the
// inventory carry; Label is what a report shows.
var categories = map[string]string{
	"chat_assistant":     "Chat assistant",
	"coding_assistant":   "Coding assistant",
	"model_api":          "Model API",
	"agent_platform":     "Agent platform",
	"ai_search":          "AI search",
	"image_video":        "Image and video generation",
	"voice_audio":        "Voice and audio",
	"meeting_assistant":  "Meeting assistant",
	"writing_assistant":  "Writing assistant",
	"model_hub":          "Model hub",
	"aggregator":         "Aggregator / router",
	"local_runtime":      "Local LLM runtime",
	"saas_ai_feature":    "AI feature of general SaaS",
	"user_content":       "AI user-content host",
	"productivity":       "AI productivity tool",
	"translation":        "AI translation",
	"data_analytics":     "AI data analytics",
	"presentation":       "AI presentations and design",
	"browser_assistant":  "AI browser or extension",
	"ml_platform":        "ML platform",
	"companion":          "AI companion",
	"education":          "AI education",
	"customer_service":   "AI customer service",
	"research_assistant": "AI research assistant",
}

// CategoryLabel returns the display label of a category id, or the id itself
// when it is unknown.
func CategoryLabel(id string) string {
	if l, ok := categories[id]; ok {
		return l
	}
	return id
}

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
	// Risk is the 0-100 risk score; higher is riskier.
	Risk int `yaml:"risk"`
	// Sources are where the facts above come from.
	Sources []string `yaml:"sources"`
}

// ProcessPattern recognises a running program. Every non-empty field must
// match. Names compare case-insensitively on the whole executable base name,
// never as a substring.
type ProcessPattern struct {
	// OS limits the pattern to one GOOS ("linux", "darwin", "windows");
	// empty means any.
	OS string `yaml:"os"`
	// Exe is the executable base name ("ollama", "Cursor.exe").
	Exe string `yaml:"exe"`
	// Script is the base name of the first script argument of an
	// interpreter (node, python, bun, deno), e.g. "gemini" or "gemini.js".
	Script string `yaml:"script"`
	// PathContains must appear in the executable path or script path as
	// whole path segments ("/@anthropic-ai/claude-code/").
	PathContains string `yaml:"path_contains"`
	// BundleID is a macOS bundle identifier ("com.openai.chat").
	BundleID string `yaml:"bundle_id"`
	// AppX is a Windows AppX package family name.
	AppX string `yaml:"appx"`
}

type vendorFile struct {
	Vendor   string     `yaml:"vendor"`
	Services []*Service `yaml:"services"`
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
	names, err := fs.Glob(fsys, "vendors/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("listing vendor files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no vendor files under vendors/: a catalog needs at least one vendors/NAME.yaml")
	}
	slices.Sort(names)
	h := sha256.New()
	var all []*Service
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		h.Write([]byte(path.Base(name)))
		h.Write(data)
		svcs, err := parseVendor(name, data)
		if err != nil {
			return nil, err
		}
		all = append(all, svcs...)
	}
	version := declared + "+" + hex.EncodeToString(h.Sum(nil))[:12]
	return compile(version, all)
}

func parseVendor(name string, data []byte) ([]*Service, error) {
	var vf vendorFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&vf); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	if vf.Vendor == "" {
		return nil, fmt.Errorf("%s: missing top-level vendor name", name)
	}
	for i, s := range vf.Services {
		if s == nil {
			return nil, fmt.Errorf("%s: service #%d is empty", name, i+1)
		}
		s.Vendor = vf.Vendor
	}
	return vf.Services, nil
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
		c.byID[s.ID] = s
	}
	c.services = all
	slices.SortFunc(c.services, func(a, b *Service) int { return strings.Compare(a.ID, b.ID) })
	var err error
	if c.domains, err = buildDomainIndex(c.services); err != nil {
		return nil, err
	}
	c.procs = buildProcessIndex(c.services)
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
		return fmt.Errorf("service %q: unknown category %q", s.ID, s.Category)
	case s.Risk < 0 || s.Risk > 100:
		return fmt.Errorf("service %q: risk %d is outside 0-100", s.ID, s.Risk)
	case len(s.Domains)+len(s.Exact)+len(s.Processes)+len(s.IDEExtensions)+len(s.BrowserExtensions) == 0:
		return fmt.Errorf("service %q: no domains and no processes, nothing could ever match it", s.ID)
	}
	return nil
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
