package sockets

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Reader takes snapshots of the socket table under a /proc root. It reuses
// its buffers and is not safe for concurrent use.
type Reader struct {
	root string
	path []byte
	link [64]byte
}

// NewReader returns a Reader for root ("/proc", or a fake tree in tests).
func NewReader(root string) (*Reader, error) {
	return &Reader{root: root}, nil
}

// tables are the files read, with their transport.
var tables = []struct{ file, transport string }{
	{"tcp", TCP}, {"tcp6", TCP}, {"udp", UDP}, {"udp6", UDP},
}

// Snapshot reads every socket and finds its owner.
func (r *Reader) Snapshot() ([]Socket, Stats, error) {
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
	want := make(map[uint64]int, len(out))
	for i := range out {
		if out[i].Inode != 0 {
			want[out[i].Inode] = 0
		}
	}
	r.owners(want, &st)
	for i := range out {
		out[i].PID = want[out[i].Inode]
		if out[i].PID == 0 {
			st.Unowned++
		}
	}
	st.Sockets = len(out)
	return out, st, nil
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

// owners fills want (inode -> pid) by walking every process's descriptors.
// The walk stops early once every wanted inode has an owner.
func (r *Reader) owners(want map[uint64]int, st *Stats) {
	if len(want) == 0 {
		return
	}
	d, err := os.Open(r.root)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	left := len(want)
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 {
			continue
		}
		found, err := r.pidSockets(pid, want)
		if err != nil && !errors.Is(err, syscall.ENOENT) {
			st.Unreadable++
		}
		if left -= found; left <= 0 {
			return
		}
	}
}

// pidSockets records pid as the owner of its socket descriptors that are
// wanted and not owned yet; it returns how many it recorded.
func (r *Reader) pidSockets(pid int, want map[uint64]int) (int, error) {
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
	found := 0
	for _, fd := range fds {
		n, err := syscall.Readlink(dir+"/"+fd, r.link[:])
		if err != nil || n < 9 {
			continue
		}
		inode, ok := ParseSocketLink(r.link[:n])
		if !ok {
			continue
		}
		if owner, wanted := want[inode]; wanted && owner == 0 {
			want[inode] = pid
			found++
		}
	}
	return found, nil
}

func (r *Reader) pidPath(pid int, name string) string {
	r.path = append(r.path[:0], r.root...)
	r.path = append(r.path, '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	r.path = append(r.path, '/')
	r.path = append(r.path, name...)
	return string(r.path)
}
