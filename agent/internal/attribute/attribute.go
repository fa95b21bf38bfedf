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
	"slices"
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
	// DefaultMinRefresh is the least time between two reads of the socket
	// table; a refresh also waits three times as long as the last one
	// took, so a busy host spends at most a quarter of a core on them.
	DefaultMinRefresh = 2 * time.Millisecond
	// DefaultGrace is how long after a refresh saw a socket a packet may
	// still be credited to it without reading the table again.
	DefaultGrace = 100 * time.Millisecond
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
	// Slack: see DefaultSlack. Grace: see DefaultGrace.
	Slack, Grace time.Duration
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
	// Found lookups were answered by asking the kernel for the one socket
	// (Linux sock_diag) instead of reading the table.
	Found uint64
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
	lastCost    time.Duration
	// diag is set once the kernel answered a one-socket query: its "no
	// such socket" is then authoritative, and the whole table is read
	// only now and then to keep owners of short-lived sockets.
	diag  bool
	stats Stats
}

// diagRefresh is the least time between two table reads while the kernel
// answers one-socket queries.
const diagRefresh = time.Second

type flowKey struct {
	transport     string
	local, remote netip.AddrPort
}

// entry is one socket as the refreshes saw it.
type entry struct {
	inode       uint64
	owner       owner
	first, last time.Time
	live        bool
	// reuseGuarded: TCP to another host, protected by TIME_WAIT.
	reuseGuarded bool
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
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
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
	if a.gen == 0 {
		a.refresh(a.opts.Now(), nil) // learn this host's addresses
	}
	// The local end is the sender when the sender is this host (queries,
	// ClientHellos, also on loopback), else the receiver (responses).
	local, remote := src, dst
	if !a.isLocal(src.Addr()) {
		if !a.isLocal(dst.Addr()) {
			a.stats.Unknown++
			a.stats.NotLocal++
			return false
		}
		local, remote = dst, src
	}
	keys := candidates(o.Transport, local, remote)
	e := a.lookup(keys, t)
	if e == nil && a.inWindow(t) {
		e = a.find(o.Transport, local, remote, a.opts.Now())
	}
	if e == nil && a.mayRefresh(t) {
		a.refresh(a.opts.Now(), keys)
		e = a.lookup(keys, t)
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

// inWindow says whether a socket found now can explain a packet of t:
// only one from within the slack, so an old capture is never attributed
// to today's processes.
func (a *Attributor) inWindow(t time.Time) bool {
	now := a.opts.Now()
	return !t.Before(now.Add(-a.opts.Slack)) && !t.After(now.Add(a.opts.Grace))
}

// mayRefresh says whether the table may be read again for a packet of t.
func (a *Attributor) mayRefresh(t time.Time) bool {
	gap := max(a.opts.MinRefresh, 3*a.lastCost)
	if a.diag {
		gap = max(gap, diagRefresh)
	}
	return a.opts.Now().Sub(a.lastRefresh) >= gap && a.inWindow(t)
}

// lookup finds the socket that carried a flow at t.
func (a *Attributor) lookup(keys []flowKey, t time.Time) *entry {
	for _, k := range keys {
		if e := a.flows[k]; e != nil && a.covers(e, t) {
			return e
		}
	}
	return nil
}

// candidates are the socket keys a flow can have: connected, and for UDP
// also unconnected sockets bound to the local address or to all addresses
// (IPv4 packets reach dual-stack sockets bound to [::]).
func candidates(transport string, local, remote netip.AddrPort) []flowKey {
	ks := []flowKey{{transport, local, remote}}
	if transport != sockets.UDP {
		return ks
	}
	any := unspecified(local.Addr())
	none := netip.AddrPortFrom(any, 0)
	ks = append(ks, flowKey{transport, local, none}, flowKey{transport, netip.AddrPortFrom(any, local.Port()), none})
	if local.Addr().Is4() {
		v6none := netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
		ks = append(ks, flowKey{transport, netip.AddrPortFrom(netip.IPv6Unspecified(), local.Port()), v6none})
	}
	return ks
}

func unspecified(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// covers says whether a socket seen by refreshes from first to last
// carried a packet of t. After a TCP socket to another host closes, its
// addresses and ports stay in TIME_WAIT for 60 s, so a later packet with
// them is still its own. UDP has no TIME_WAIT and Linux reuses loopback
// TCP ports at once (tcp_tw_reuse), so there a packet later than the
// grace needs a fresh read of the table.
func (a *Attributor) covers(e *entry, t time.Time) bool {
	after := a.opts.Grace
	if e.reuseGuarded {
		after = a.opts.Slack
	}
	return !t.Before(e.first.Add(-a.opts.Slack)) && !t.After(e.last.Add(after))
}

func (a *Attributor) isLocal(ip netip.Addr) bool {
	return ip.IsLoopback() || a.local[ip]
}

// refresh re-reads the socket table and the owners of its new sockets,
// stopping the owner search once the sockets of keys are found.
func (a *Attributor) refresh(now time.Time, keys []flowKey) {
	a.lastRefresh = now
	a.stats.Refreshes++
	start := time.Now()
	defer func() { a.lastCost = time.Since(start) }()
	var need func(*sockets.Socket) bool
	if keys != nil {
		need = func(s *sockets.Socket) bool { return slices.Contains(keys, flowKey{s.Transport, s.Local, s.Remote}) }
	}
	socks, _, err := a.reader.SnapshotFor(need)
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
	k := flowKey{s.Transport, s.Local, s.Remote}
	e := a.flows[k]
	if e == nil || e.inode != s.Inode {
		ow, ok := a.owner(s.PID)
		if !ok {
			return
		}
		e = &entry{inode: s.Inode, owner: ow, first: now, reuseGuarded: s.Transport == sockets.TCP && !s.Remote.Addr().IsLoopback()}
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
