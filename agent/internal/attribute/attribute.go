// Package attribute names the process and user behind a network
// observation made on this host: the owner of the socket whose addresses
// and ports the packet carried.
//
// The socket table is cached and re-read when a lookup misses (at most
// every MinRefresh), so a process that has exited since the last refresh
// is still attributed from the cache, within Slack of when its socket was
// last seen. Anything else stays unknown: a flow is never credited to a
// process that did not own exactly that socket at that time.
package attribute

import (
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/privacy"
	"github.com/shadowai/shadowai/agent/internal/procscan"
	"github.com/shadowai/shadowai/agent/internal/sockets"
	"github.com/shadowai/shadowai/agent/internal/users"
)

// Defaults of Options.
const (
	DefaultMinRefresh = 50 * time.Millisecond
	// DefaultSlack is how far an observation may lie outside the time its
	// socket was seen: TCP keeps a closed 4-tuple in TIME_WAIT for 60 s,
	// so no other socket can have had it within that time.
	DefaultSlack = 60 * time.Second
)

// Options configure an Attributor.
type Options struct {
	// ProcRoot is the /proc to read ("" for the real one; Linux only).
	ProcRoot string
	// Privacy filters the user and executable filled in.
	Privacy *privacy.Filter
	// MinRefresh is the least time between two reads of the socket table.
	MinRefresh time.Duration
	// Slack: see DefaultSlack.
	Slack time.Duration
	// Now is the clock (tests).
	Now func() time.Time
}

// Stats counts lookups by outcome.
type Stats struct {
	Lookups uint64
	// Hits were attributed; FromCache of them to a socket or process that
	// was gone by the time of the lookup.
	Hits, FromCache uint64
	// Unknown lookups found no owner; NotLocal of them had no address of
	// this host, so the table was not even read.
	Unknown, NotLocal uint64
	Refreshes         uint64
	RefreshErrors     uint64
}

// Attributor fills the owner of network observations. It is safe for
// concurrent use.
type Attributor struct {
	opts   Options
	reader *sockets.Reader
	procs  *procscan.Scanner
	real   bool // reading the real host: add interface addresses as local

	mu          sync.Mutex // guards everything below
	flows       map[flowKey]*entry
	local       map[netip.Addr]bool
	owners      map[int]ownerEntry
	gen         uint64
	lastRefresh time.Time
	stats       Stats
}

type flowKey struct {
	transport     string
	local, remote netip.AddrPort
}

// entry is one socket as the refreshes saw it.
type entry struct {
	owner       owner
	first, last time.Time
	live        bool
}

type owner struct {
	pid                int
	process, exe, user string
}

type ownerEntry struct {
	owner owner
	start time.Time
	gen   uint64
}

// New returns an Attributor for this host (or for the fake /proc in
// o.ProcRoot).
func New(o Options) (*Attributor, error) {
	real := o.ProcRoot == ""
	if real {
		o.ProcRoot = procscan.DefaultRoot
	}
	if o.MinRefresh <= 0 {
		o.MinRefresh = DefaultMinRefresh
	}
	if o.Slack <= 0 {
		o.Slack = DefaultSlack
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	sockRoot := o.ProcRoot
	if procscan.DefaultRoot == "" {
		sockRoot = ""
	}
	r, err := sockets.NewReader(sockRoot)
	if err != nil {
		return nil, err
	}
	db := users.Open(filepath.Dir(filepath.Clean(o.ProcRoot)))
	return &Attributor{
		opts: o, reader: r, procs: procscan.NewScanner(o.ProcRoot, db), real: real,
		flows: map[flowKey]*entry{}, local: map[netip.Addr]bool{}, owners: map[int]ownerEntry{},
	}, nil
}

// Stats returns the counters so far.
func (a *Attributor) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Fill sets PID, Exe, Process and User of a network observation from the
// owner of its socket and reports whether it found one. Observations that
// already name a process, or carry no transport, are left alone.
func (a *Attributor) Fill(o *observe.Observation) bool {
	if o.Transport == "" || o.PID != 0 || !o.SrcIP.IsValid() || !o.DstIP.IsValid() {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Lookups++
	t := o.Time
	if t.IsZero() {
		t = a.opts.Now()
	}
	src := netip.AddrPortFrom(o.SrcIP.Unmap(), o.SrcPort)
	dst := netip.AddrPortFrom(o.DstIP.Unmap(), o.DstPort)
	e := a.lookup(o.Transport, src, dst, t)
	if e == nil {
		if len(a.local) > 0 && !a.isLocal(src.Addr()) && !a.isLocal(dst.Addr()) {
			a.stats.Unknown++
			a.stats.NotLocal++
			return false
		}
		// A socket read now can only explain a packet from within the slack:
		// an old capture is never attributed to today's processes.
		if now := a.opts.Now(); now.Sub(a.lastRefresh) >= a.opts.MinRefresh && now.Sub(t).Abs() <= a.opts.Slack {
			a.refresh(now)
			e = a.lookup(o.Transport, src, dst, t)
		}
	}
	if e == nil {
		a.stats.Unknown++
		return false
	}
	a.stats.Hits++
	if !e.live {
		a.stats.FromCache++
	}
	o.PID, o.Process = e.owner.pid, e.owner.process
	o.Exe = a.opts.Privacy.Path(e.owner.exe)
	o.User = a.opts.Privacy.User(e.owner.user)
	return true
}

// lookup finds the socket of a flow seen at t. The source is tried as the
// local end first (the host sent it), then the destination (the host
// received it). UDP sockets that never connected match on their local
// address and port alone, bound to one address or to all.
func (a *Attributor) lookup(transport string, src, dst netip.AddrPort, t time.Time) *entry {
	for _, k := range candidates(transport, src, dst) {
		if e := a.flows[k]; e != nil && a.covers(e, t) {
			return e
		}
	}
	return nil
}

func candidates(transport string, src, dst netip.AddrPort) []flowKey {
	ks := []flowKey{{transport, src, dst}, {transport, dst, src}}
	if transport != sockets.UDP {
		return ks
	}
	for _, l := range []netip.AddrPort{src, dst} {
		any := unspecified(l.Addr())
		none := netip.AddrPortFrom(any, 0)
		ks = append(ks, flowKey{transport, l, none}, flowKey{transport, netip.AddrPortFrom(any, l.Port()), none})
		if l.Addr().Is4() {
			// A dual-stack socket bound to [::] receives IPv4 too.
			ks = append(ks, flowKey{transport, netip.AddrPortFrom(netip.IPv6Unspecified(), l.Port()), netip.AddrPortFrom(netip.IPv6Unspecified(), 0)})
		}
	}
	return ks
}

func unspecified(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// covers says whether a socket seen from first to last can have carried a
// packet at t.
func (a *Attributor) covers(e *entry, t time.Time) bool {
	return !t.Before(e.first.Add(-a.opts.Slack)) && !t.After(e.last.Add(a.opts.Slack))
}

func (a *Attributor) isLocal(ip netip.Addr) bool {
	return ip.IsLoopback() || a.local[ip]
}

// refresh re-reads the socket table and the owners of its sockets.
func (a *Attributor) refresh(now time.Time) {
	a.lastRefresh = now
	a.stats.Refreshes++
	socks, _, err := a.reader.Snapshot()
	if err != nil {
		a.stats.RefreshErrors++
		return
	}
	a.gen++
	for _, e := range a.flows {
		e.live = false
	}
	if a.real {
		a.addInterfaceAddrs()
	}
	for i := range socks {
		a.record(&socks[i], now)
	}
	a.evict(now)
}

func (a *Attributor) record(s *sockets.Socket, now time.Time) {
	if ip := s.Local.Addr(); !ip.IsUnspecified() {
		a.local[ip] = true
	}
	if s.PID == 0 || s.Listen {
		return
	}
	ow, ok := a.owner(s.PID)
	if !ok {
		return
	}
	k := flowKey{s.Transport, s.Local, s.Remote}
	e := a.flows[k]
	if e == nil || e.owner != ow {
		e = &entry{owner: ow, first: now}
		a.flows[k] = e
	}
	e.last, e.live = now, true
}

// owner reads a process once per refresh; a pid reused by a new process
// (another start time) gets a new owner.
func (a *Attributor) owner(pid int) (owner, bool) {
	if c, ok := a.owners[pid]; ok && c.gen == a.gen {
		return c.owner, true
	}
	p, err := a.procs.Read(pid)
	if err != nil {
		c, ok := a.owners[pid]
		return c.owner, ok
	}
	ow := owner{pid: pid, process: p.Name, exe: p.Exe, user: p.User}
	a.owners[pid] = ownerEntry{owner: ow, start: p.Start, gen: a.gen}
	return ow, true
}

// evict drops sockets and owners not seen for longer than the slack.
func (a *Attributor) evict(now time.Time) {
	for k, e := range a.flows {
		if now.Sub(e.last) > a.opts.Slack {
			delete(a.flows, k)
		}
	}
	for pid, c := range a.owners {
		if a.gen-c.gen > 1000 {
			delete(a.owners, pid)
		}
	}
}

func (a *Attributor) addInterfaceAddrs() {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return
	}
	for _, ad := range addrs {
		if p, err := netip.ParsePrefix(ad.String()); err == nil {
			a.local[p.Addr().Unmap()] = true
		}
	}
}
