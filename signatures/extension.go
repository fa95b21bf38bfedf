package signatures

import (
	"fmt"
	"strings"
)

func buildExtensionIndex(svcs []*Service) (map[string]*Service, error) {
	m := map[string]*Service{}
	for _, s := range svcs {
		for _, id := range append(append([]string(nil), s.IDEExtensions...), s.BrowserExtensions...) {
			k := strings.ToLower(id)
			if prev := m[k]; prev != nil {
				return nil, fmt.Errorf("service %q: extension id %q is already claimed by %q", s.ID, id, prev.ID)
			}
			m[k] = s
		}
	}
	return m, nil
}

// MatchExtension returns the service an IDE or browser extension id
// belongs to, or nil. VS Code ids compare case-insensitively.
func (c *Catalog) MatchExtension(id string) *Service {
	return c.exts[strings.ToLower(id)]
}

// ServicesOnPort lists the local runtimes that listen on port by default.
func (c *Catalog) ServicesOnPort(port int) []*Service {
	return c.ports[port]
}
