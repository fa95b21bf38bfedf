package sockets

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// Reader takes snapshots of the socket table under a /proc root. It reuses
// its buffers and is not safe for concurrent use.
//
// Finding a socket's owner means reading every descriptor link of every
// process, the costly part. The Reader remembers the owner of each inode
// while the socket exists (inode numbers are not reused while it does),
// so a snapshot only looks for new sockets, walking the newest processes
// first and stopping once the sockets the caller needs are found.
type Reader struct {
	root string
	path []byte
	link [64]byte
	// owners maps a socket inode to its pid; -1 once a full walk found no
	// owner (kernel sockets, other pid namespaces).
	owners map[uint64]int
	// recent are the pids that most recently owned a new socket: busy
	// clients open socket after socket, so they are looked at first.
	recent []int
	// hot are the descriptor numbers of each recent pid that held
	// sockets: a client that closes a connection and opens the next one
	// gets the same lowest free descriptor, so one readlink finds it.
	hot map[int][]string
}

// maxRecent bounds the recent owners remembered.
const maxRecent = 64

// NewReader returns a Reader for root ("/proc", or a fake tree in tests).
func NewReader(root string) (*Reader, error) {
	return &Reader{root: root, owners: map[uint64]int{}, hot: map[int][]string{}}, nil
}

// tables are the files read, with their transport.
var tables = []struct{ file, transport string }{
	{"tcp", TCP}, {"tcp6", TCP}, {"udp", UDP}, {"udp6", UDP},
}

// Snapshot reads every socket and finds the owner of every one.
func (r *Reader) Snapshot() ([]Socket, Stats, error) { return r.SnapshotFor(nil) }

// SnapshotFor reads every socket; the search for owners of new sockets may
// stop as soon as every socket for which need returns true has one (nil
// needs them all). Sockets left without an owner are searched again by
// the next snapshot.
func (r *Reader) SnapshotFor(need func(*Socket) bool) ([]Socket, Stats, error) {
	var st Stats
	var out []Socket
	read := 0
	for _, t := range tables {
		err := readTable(filepath.Join(r.root, "net", t.file), t.transport, &out, &st)
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			return nil, st, err
		}
		read++
	}
	if read == 0 {
		return nil, st, errors.New("no socket table under " + filepath.Join(r.root, "net"))
	}
	r.resolve(out, need, &st)
	live := make(map[uint64]bool, len(out))
	for i := range out {
		live[out[i].Inode] = true
		if pid := r.owners[out[i].Inode]; pid > 0 {
			out[i].PID = pid
		} else {
			st.Unowned++
		}
	}
	for ino := range r.owners {
		if !live[ino] {
			delete(r.owners, ino) // closed: its inode may be reused later
		}
	}
	st.Sockets = len(out)
	return out, st, nil
}

// resolve finds owners for the sockets whose inode has none yet.
func (r *Reader) resolve(socks []Socket, need func(*Socket) bool, st *Stats) {
	want := map[uint64]int{} // inode -> 0, or the pid found
	needed := map[uint64]bool{}
	for i := range socks {
		ino := socks[i].Inode
		if ino == 0 {
			continue // TIME_WAIT and other sockets without a file
		}
		if _, known := r.owners[ino]; known {
			continue
		}
		want[ino] = 0
		if need == nil || need(&socks[i]) {
			needed[ino] = true
		}
	}
	if len(want) == 0 || len(needed) == 0 {
		return
	}
	complete := r.walk(want, func(ino uint64) bool { return needed[ino] }, len(needed), st)
	for ino, pid := range want {
		switch {
		case pid > 0:
			r.owners[ino] = pid
		case complete:
			r.owners[ino] = -1
		}
	}
}

func readTable(path, transport string, out *[]Socket, st *Stats) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue // header
		}
		local, remote, state, uid, inode, ok := ParseLine(sc.Bytes())
		if !ok {
			st.Malformed++
			continue
		}
		*out = append(*out, Socket{
			Transport: transport, Local: local, Remote: remote, UID: uid, Inode: inode,
			Listen: transport == TCP && state == tcpListen,
		})
	}
	return sc.Err()
}

// walk fills want (inode -> pid) from the processes' descriptors, newest
// process (highest pid) first: new sockets mostly belong to new
// processes. It stops once needed inodes that isNeeded accepts are found
// and reports whether it walked every process.
func (r *Reader) walk(want map[uint64]int, isNeeded func(uint64) bool, needed int, st *Stats) (complete bool) {
	return r.walkWhile(want, isNeeded, needed, st, nil)
}

func (r *Reader) walkWhile(want map[uint64]int, isNeeded func(uint64) bool, needed int, st *Stats, alive func() bool) (complete bool) {
	w := walker{r: r, want: want, isNeeded: isNeeded, left: needed, unowned: len(want), st: st, seen: map[int]bool{}}
	if w.visitHot(slices.Clone(r.recent)) || w.visit(slices.Clone(r.recent)) {
		return w.unowned <= 0
	}
	if alive != nil && !alive() {
		return false
	}
	d, err := os.Open(r.root)
	if err != nil {
		return false
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.SortFunc(pids, func(a, b int) int { return b - a })
	if w.visit(pids) {
		return w.unowned <= 0
	}
	return true
}

// walker is one search for socket owners.
type walker struct {
	r             *Reader
	want          map[uint64]int
	isNeeded      func(uint64) bool
	left, unowned int
	st            *Stats
	seen          map[int]bool
}

// visitHot reads only the descriptors that held sockets before, of pids
// in order, and reports whether the search is done.
func (w *walker) visitHot(pids []int) bool {
	for _, pid := range pids {
		dir := w.r.pidPath(pid, "fd")
		for _, fd := range w.r.hot[pid] {
			inode, ok := w.r.socketAt(dir + "/" + fd)
			if !ok {
				continue
			}
			if owner, wanted := w.want[inode]; wanted && owner == 0 {
				w.want[inode] = pid
				w.unowned--
				if w.isNeeded(inode) {
					w.left--
				}
				if w.unowned <= 0 || w.left <= 0 {
					return w.unowned <= 0 || w.left <= 0
				}
			}
		}
	}
	return false
}

// visit looks at pids in order and reports whether the search is done.
func (w *walker) visit(pids []int) bool {
	for _, pid := range pids {
		if w.seen[pid] {
			continue
		}
		w.seen[pid] = true
		found, err := w.r.pidSockets(pid, w.want, func(ino uint64) {
			w.unowned--
			if w.isNeeded(ino) {
				w.left--
			}
		})
		if err != nil && !errors.Is(err, syscall.ENOENT) {
			w.st.Unreadable++
		}
		if found > 0 {
			w.r.remember(pid)
		}
		if w.unowned <= 0 || (found > 0 && w.left <= 0) {
			return true
		}
	}
	return false
}

func (r *Reader) remember(pid int) {
	if i := slices.Index(r.recent, pid); i >= 0 {
		r.recent = slices.Delete(r.recent, i, i+1)
	}
	r.recent = slices.Insert(r.recent, 0, pid)
	if len(r.recent) > maxRecent {
		for _, old := range r.recent[maxRecent:] {
			delete(r.hot, old)
		}
		r.recent = r.recent[:maxRecent]
	}
}

// pidSockets records pid as the owner of its socket descriptors that are
// wanted and not owned yet, calling found for each; it returns how many it
// recorded.
func (r *Reader) pidSockets(pid int, want map[uint64]int, found func(uint64)) (int, error) {
	dir := r.pidPath(pid, "fd")
	f, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	fds, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return 0, err
	}
	n := 0
	var hot []string
	for _, fd := range fds {
		inode, ok := r.socketAt(dir + "/" + fd)
		if !ok {
			continue
		}
		hot = append(hot, fd)
		if owner, wanted := want[inode]; wanted && owner == 0 {
			want[inode] = pid
			n++
			found(inode)
		}
	}
	if n > 0 {
		r.hot[pid] = hot
	}
	return n, nil
}

// socketAt reads one descriptor link and returns its socket inode.
func (r *Reader) socketAt(path string) (uint64, bool) {
	m, err := syscall.Readlink(path, r.link[:])
	if err != nil || m < 9 {
		return 0, false
	}
	return ParseSocketLink(r.link[:m])
}

func (r *Reader) pidPath(pid int, name string) string {
	r.path = append(r.path[:0], r.root...)
	r.path = append(r.path, '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	r.path = append(r.path, '/')
	r.path = append(r.path, name...)
	return string(r.path)
}

// OwnerOf returns the pid owning a socket inode (0 if none was found),
// from the cache or by walking the processes newest first until found.
func (r *Reader) OwnerOf(inode uint64) int { return r.OwnerWhile(inode, nil) }

// OwnerWhile is OwnerOf that, before walking every process, asks alive
// whether the socket still exists: a socket closed meanwhile has no owner
// to find, and the walk is the costly part.
func (r *Reader) OwnerWhile(inode uint64, alive func() bool) int {
	if pid, ok := r.owners[inode]; ok {
		return max(pid, 0)
	}
	want := map[uint64]int{inode: 0}
	var st Stats
	r.walkWhile(want, func(uint64) bool { return true }, 1, &st, alive)
	if pid := want[inode]; pid > 0 {
		r.owners[inode] = pid
		return pid
	}
	return 0
}

// Owners fills the PID of each socket (cached, or found by walking the
// processes) and forgets cached owners of sockets not in socks: for
// callers that list sockets themselves (Listening).
func (r *Reader) Owners(socks []Socket) Stats {
	st := Stats{Sockets: len(socks)}
	live := make(map[uint64]bool, len(socks))
	for i := range socks {
		live[socks[i].Inode] = true
		if socks[i].PID = r.OwnerOf(socks[i].Inode); socks[i].PID == 0 {
			st.Unowned++
		}
	}
	for ino := range r.owners {
		if !live[ino] {
			delete(r.owners, ino)
		}
	}
	return st
}
