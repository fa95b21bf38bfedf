package signatures

import "sync/atomic"

// Live holds the catalog in force and lets it be replaced while sensors
// match against it: a swap is one atomic pointer store, and a lookup sees
// either the old catalog or the new one, never a mix.
type Live struct {
	cur atomic.Pointer[Catalog]
}

// NewLive returns a holder with c in force.
func NewLive(c *Catalog) *Live {
	l := &Live{}
	l.cur.Store(c)
	return l
}

// Catalog returns the catalog in force.
func (l *Live) Catalog() *Catalog { return l.cur.Load() }

// Swap puts c in force and returns the catalog it replaced.
func (l *Live) Swap(c *Catalog) *Catalog { return l.cur.Swap(c) }

// Version is the version of the catalog in force.
func (l *Live) Version() string { return l.cur.Load().Version() }

// MatchDomain matches with the catalog in force.
func (l *Live) MatchDomain(name string) *Service { return l.cur.Load().MatchDomain(name) }

// MatchProcess matches with the catalog in force.
func (l *Live) MatchProcess(p Process) *Service { return l.cur.Load().MatchProcess(p) }

// MatchExtension matches with the catalog in force.
func (l *Live) MatchExtension(id string) *Service { return l.cur.Load().MatchExtension(id) }

// ServicesOnPort asks the catalog in force.
func (l *Live) ServicesOnPort(port int) []*Service { return l.cur.Load().ServicesOnPort(port) }
