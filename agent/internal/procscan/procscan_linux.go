package procscan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// DefaultRoot is where the OS exposes processes.
const DefaultRoot = "/proc"

// clockTicks is USER_HZ, the unit of start times in /proc/PID/stat. It is
// 100 on every Linux architecture the agent supports.
const clockTicks = 100

// Scanner reads the process table under a root, reusing its buffers and
// its user-name cache between scans. It is not safe for concurrent use.
type Scanner struct {
	root  string
	users *users.DB
	boot  time.Time
	buf   []byte
	path  []byte
	// known caches what does not change while a process runs the same
	// program (uid, exe, command line), keyed by pid and checked against
	// start time and name (an exec changes the name), so a steady scan
	// reads one small file per process instead of four. Each process is
	// re-read in full every maxCacheAge scans (staggered by pid) to catch
	// an exec that kept the name.
	known map[int]cached
	scans int
}

type cached struct {
	start uint64
	proc  Proc
}

// maxCacheAge is how many scans a cached command line is trusted.
const maxCacheAge = 10

// NewScanner returns a Scanner for root ("/proc", or a fake tree in tests);
// user names come from db.
func NewScanner(root string, db *users.DB) *Scanner {
	s := &Scanner{root: root, users: db, buf: make([]byte, MaxCmdline+1), known: map[int]cached{}}
	s.boot = bootTime(filepath.Join(root, "stat"))
	return s
}

var (
	defaultMu       sync.Mutex // guards defaultScanners
	defaultScanners = map[string]*Scanner{}
)

// Scan reads every process under root (normally "/proc"). User names come
// from the password file of the system root is part of ("/proc" reads
// /etc/passwd; a fake tree "x/proc" reads "x/etc/passwd").
func Scan(root string) ([]Proc, Stats, error) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	s := defaultScanners[root]
	if s == nil {
		s = NewScanner(root, users.Open(filepath.Dir(filepath.Clean(root))))
		defaultScanners[root] = s
	}
	return s.Scan()
}

// Scan reads every process.
func (s *Scanner) Scan() ([]Proc, Stats, error) {
	d, err := os.Open(s.root)
	if err != nil {
		return nil, Stats{}, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, Stats{}, err
	}
	var st Stats
	s.scans++
	seen := make(map[int]bool, len(names))
	out := make([]Proc, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 {
			continue
		}
		seen[pid] = true
		p, err := s.read(pid, &st)
		switch {
		case vanished(err):
			st.Vanished++
			continue
		case err != nil:
			st.Unreadable++
			continue
		}
		out = append(out, p)
	}
	st.Processes = len(out)
	slices.SortFunc(out, func(a, b Proc) int { return a.PID - b.PID })
	for pid := range s.known {
		if !seen[pid] {
			delete(s.known, pid)
		}
	}
	return out, st, nil
}

// vanished says whether a read failed because the process exited.
func vanished(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ESRCH)
}

// Read reads one process by pid.
func (s *Scanner) Read(pid int) (Proc, error) {
	var st Stats
	return s.read(pid, &st)
}

func (s *Scanner) read(pid int, st *Stats) (Proc, error) {
	p := Proc{PID: pid}
	b, err := s.file(pid, "stat")
	if err != nil {
		return p, err
	}
	comm, ppid, start, ok := ParseStat(b)
	if !ok {
		return p, errors.New("malformed stat")
	}
	p.Name, p.PPID = clean(comm, st), ppid
	if !s.boot.IsZero() && start > 0 {
		p.Start = s.boot.Add(time.Duration(start) * (time.Second / clockTicks))
	}
	if c, ok := s.known[pid]; ok && c.start == start && c.proc.Name == p.Name && (s.scans+pid)%maxCacheAge != 0 {
		p.UID, p.User, p.Exe, p.Args = c.proc.UID, c.proc.User, c.proc.Exe, c.proc.Args
		if p.Exe == "" {
			st.NoExe++
		}
		return p, nil
	}
	// Kernel threads have no exe (ENOENT), other users' processes deny it
	// (EACCES); a process that exited is caught by the reads below.
	exe, _ := s.link(pid, "exe")
	if err := s.readSlow(&p, exe, st); err != nil {
		return p, err
	}
	s.known[pid] = cached{start: start, proc: p}
	return p, nil
}

// readSlow reads what the cache keeps: uid, user, exe and command line.
func (s *Scanner) readSlow(p *Proc, exe string, st *Stats) error {
	b, err := s.file(p.PID, "status")
	if err != nil {
		return err
	}
	p.UID = ParseStatusUID(b)
	p.User = s.users.Name(p.UID)
	if exe == "" {
		st.NoExe++
	}
	p.Exe = clean(strings.TrimSuffix(exe, " (deleted)"), st)
	if b, err = s.file(p.PID, "cmdline"); err != nil {
		return err
	}
	if len(b) > MaxCmdline {
		st.Truncated++
		b = b[:MaxCmdline]
	}
	p.Args = splitCmdline(b, st)
	return nil
}

// file reads /proc/PID/name into the scanner's buffer.
func (s *Scanner) file(pid int, name string) ([]byte, error) {
	fd, err := syscall.Open(s.pathOf(pid, name), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	n := 0
	for n < len(s.buf) {
		m, err := syscall.Read(fd, s.buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return s.buf[:n], nil
}

func (s *Scanner) link(pid int, name string) (string, error) {
	var b [4096]byte
	n, err := syscall.Readlink(s.pathOf(pid, name), b[:])
	if err != nil {
		return "", err
	}
	return string(b[:n]), nil
}

func (s *Scanner) pathOf(pid int, name string) string {
	s.path = append(s.path[:0], s.root...)
	s.path = append(s.path, '/')
	s.path = strconv.AppendInt(s.path, int64(pid), 10)
	s.path = append(s.path, '/')
	s.path = append(s.path, name...)
	return string(s.path)
}

func splitCmdline(b []byte, st *Stats) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	args := strings.Split(string(b), "\x00")
	for i, a := range args {
		args[i] = clean(a, st)
	}
	return args
}

// clean makes s valid UTF-8, counting the strings that were not.
func clean(s string, st *Stats) string {
	if utf8.ValidString(s) {
		return s
	}
	st.BadEncoding++
	return strings.ToValidUTF8(s, "\uFFFD")
}

// bootTime reads btime from /proc/stat; zero when it cannot.
func bootTime(path string) time.Time {
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}
	}
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			if sec, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64); err == nil {
				return time.Unix(sec, 0)
			}
		}
	}
	return time.Time{}
}
