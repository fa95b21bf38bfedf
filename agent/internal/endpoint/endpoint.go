// Package endpoint plugs the endpoint sensors into the agent: the process
// sensor with local-runtime listeners (every 30 s), the extension and
// model-store inventory (at start and daily), and flow attribution for
// network observations. The sensors themselves live in procscan, sockets,
// localllm, extensions and attribute; this package schedules them, applies
// the privacy options, and counts what they skipped.
package endpoint

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/shadowai/shadowai/agent/internal/attribute"
	"github.com/shadowai/shadowai/agent/internal/extensions"
	"github.com/shadowai/shadowai/agent/internal/localllm"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/privacy"
	"github.com/shadowai/shadowai/agent/internal/procscan"
	"github.com/shadowai/shadowai/agent/internal/sockets"
	"github.com/shadowai/shadowai/agent/internal/users"
	"github.com/shadowai/shadowai/signatures"
)

// Catalog is what the endpoint sensors need of the signature catalog:
// *signatures.Catalog, or *signatures.Live, which swaps in signed updates.
type Catalog interface {
	MatchProcess(p signatures.Process) *signatures.Service
	MatchExtension(id string) *signatures.Service
	ServicesOnPort(port int) []*signatures.Service
}

// byID adds lookup by service id (model stores name their runtime by id)
// to a Catalog: a *signatures.Catalog has it, a *signatures.Live has it
// through its current catalog.
type byID struct{ Catalog }

func (c byID) Lookup(id string) *signatures.Service {
	switch x := c.Catalog.(type) {
	case interface {
		Lookup(string) *signatures.Service
	}:
		return x.Lookup(id)
	case interface{ Catalog() *signatures.Catalog }:
		return x.Catalog().Lookup(id)
	}
	return nil
}

// Default intervals.
const (
	DefaultProcessInterval   = 30 * time.Second
	DefaultInventoryInterval = 24 * time.Hour
)

// Options configure the sensors.
type Options struct {
	// Root is the host to read: "" for this one, or a directory holding
	// proc/, etc/passwd and home directories (a fake host in tests, a
	// mounted disk image).
	Root    string
	Privacy privacy.Options
	// ProcessInterval and InventoryInterval default to 30 s and 24 h.
	ProcessInterval, InventoryInterval time.Duration
	Log                                *slog.Logger
}

// Sensors runs the endpoint sensors. Its methods are safe for concurrent
// use.
type Sensors struct {
	cat    Catalog
	opts   Options
	filter *privacy.Filter
	users  *users.DB

	mu    sync.Mutex // guards procs and socks
	procs *procscan.Scanner
	socks *sockets.Reader

	attrOnce sync.Once
	attr     *attribute.Attributor
	attrErr  error
}

// New returns the sensors for a host.
func New(cat Catalog, o Options) *Sensors {
	if o.ProcessInterval <= 0 {
		o.ProcessInterval = DefaultProcessInterval
	}
	if o.InventoryInterval <= 0 {
		o.InventoryInterval = DefaultInventoryInterval
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	db := users.Open(o.Root)
	return &Sensors{cat: cat, opts: o, filter: privacy.New(o.Privacy), users: db, procs: procscan.NewScanner(procRoot(o.Root), db)}
}

// procRoot is the /proc of the host rooted at root.
func procRoot(root string) string {
	if root == "" {
		return procscan.DefaultRoot
	}
	return filepath.Join(root, "proc")
}

// ProcessStats counts one process sensor run.
type ProcessStats struct {
	Procs     procscan.Stats
	Sockets   sockets.Stats
	Listeners localllm.ListenerStats
}

// Processes scans the process table once and returns the AI tools running
// and the local runtimes listening.
func (s *Sensors) Processes(t time.Time) ([]observe.Observation, ProcessStats, error) {
	var st ProcessStats
	s.mu.Lock()
	defer s.mu.Unlock()
	procs, pst, err := s.procs.Scan()
	st.Procs = pst
	if err != nil {
		return nil, st, fmt.Errorf("scanning processes: %w", err)
	}
	obs := procscan.Match(s.cat, procs, t)
	socks, sst, err := s.listeners()
	st.Sockets = sst
	if err != nil {
		err = fmt.Errorf("reading listening sockets (process sightings are complete): %w", err)
	} else {
		var ls []observe.Observation
		ls, st.Listeners = localllm.Listeners(byID{s.cat}, socks, procs, t)
		obs = append(obs, ls...)
	}
	s.apply(obs)
	return obs, st, err
}

func (s *Sensors) reader() (*sockets.Reader, error) {
	if s.socks == nil {
		root := procRoot(s.opts.Root)
		if procscan.DefaultRoot == "" {
			root = ""
		}
		r, err := sockets.NewReader(root)
		if err != nil {
			return nil, err
		}
		s.socks = r
	}
	return s.socks, nil
}

// tableListeners reads the whole socket table; only listeners need owners,
// so the owner search stops once they have them.
func (s *Sensors) tableListeners() ([]sockets.Socket, sockets.Stats, error) {
	r, err := s.reader()
	if err != nil {
		return nil, sockets.Stats{}, err
	}
	return r.SnapshotFor(func(k *sockets.Socket) bool { return k.Listen })
}

// InventoryStats counts one inventory run.
type InventoryStats struct {
	Extensions extensions.Stats
	Stores     localllm.StoreStats
}

// Inventory lists the AI extensions and model stores of every local user.
func (s *Sensors) Inventory(t time.Time) ([]observe.Observation, InventoryStats, error) {
	var st InventoryStats
	homes, err := s.users.Homes()
	if err != nil {
		return nil, st, fmt.Errorf("listing users' home directories: %w", err)
	}
	exts, est := extensions.Inventory(homes)
	st.Extensions = est
	obs := extensions.Observations(s.cat, exts, t)
	stores, sst := localllm.Stores(byID{s.cat}, homes, t)
	st.Stores = sst
	obs = append(obs, stores...)
	s.apply(obs)
	return obs, st, nil
}

// Attribute fills the process and user of a network observation when its
// socket is on this host (see package attribute). It reports whether it
// did; when attribution is not possible on this host it returns false
// and Err says why.
func (s *Sensors) Attribute(o *observe.Observation) bool {
	s.attrOnce.Do(func() {
		root := ""
		if s.opts.Root != "" {
			root = procRoot(s.opts.Root)
		}
		s.attr, s.attrErr = attribute.New(attribute.Options{ProcRoot: root, Privacy: s.filter})
		if s.attrErr != nil {
			s.opts.Log.Warn("network sightings will not name their process", "err", s.attrErr)
		}
	})
	return s.attr != nil && s.attr.Fill(o)
}

// AttributionStats returns the attribution counters, and why attribution
// is off if it is.
func (s *Sensors) AttributionStats() (attribute.Stats, error) {
	if s.attr == nil {
		if s.attrErr == nil {
			return attribute.Stats{}, errors.New("no network observation was attributed yet")
		}
		return attribute.Stats{}, s.attrErr
	}
	return s.attr.Stats(), nil
}

func (s *Sensors) apply(obs []observe.Observation) {
	for i := range obs {
		s.filter.Apply(&obs[i])
	}
}
