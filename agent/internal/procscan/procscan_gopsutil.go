//go:build windows || darwin

package procscan

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// DefaultRoot is unused on this OS: gopsutil reads the process table
// through the OS's own interfaces (Windows: toolhelp snapshots and
// PEB reads; macOS: sysctl and libproc).
const DefaultRoot = ""

// Scanner reads the process table through gopsutil.
type Scanner struct {
	root string
}

// NewScanner returns a Scanner; root must be DefaultRoot on this OS, and
// user names come from the OS, not from db.
func NewScanner(root string, _ *users.DB) *Scanner { return &Scanner{root: root} }

// Scan reads every process through gopsutil. root must be DefaultRoot.
func Scan(root string) ([]Proc, Stats, error) { return NewScanner(root, nil).Scan() }

// Read reads one process by pid.
func (s *Scanner) Read(pid int) (Proc, error) {
	ctx := context.Background()
	gp, err := process.NewProcessWithContext(ctx, int32(pid))
	if err != nil {
		return Proc{PID: pid}, err
	}
	var st Stats
	return readGopsutil(ctx, gp, &st)
}

// Scan reads every process.
func (s *Scanner) Scan() ([]Proc, Stats, error) {
	if s.root != DefaultRoot {
		return nil, Stats{}, errors.New("a process root directory is only supported on Linux")
	}
	ctx := context.Background()
	ps, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return nil, Stats{}, err
	}
	var st Stats
	out := make([]Proc, 0, len(ps))
	for _, gp := range ps {
		p, err := readGopsutil(ctx, gp, &st)
		if err != nil {
			if errors.Is(err, process.ErrorProcessNotRunning) || errors.Is(err, os.ErrNotExist) {
				st.Vanished++
			} else {
				st.Unreadable++
			}
			continue
		}
		out = append(out, p)
	}
	st.Processes = len(out)
	return out, st, nil
}

func readGopsutil(ctx context.Context, gp *process.Process, st *Stats) (Proc, error) {
	p := Proc{PID: int(gp.Pid)}
	name, err := gp.NameWithContext(ctx)
	if err != nil {
		return p, err
	}
	p.Name = name
	if ppid, err := gp.PpidWithContext(ctx); err == nil {
		p.PPID = int(ppid)
	}
	if p.Exe, err = gp.ExeWithContext(ctx); err != nil || p.Exe == "" {
		st.NoExe++
	}
	p.AppBundle, p.AppX = AppBundle(p.Exe), AppXFamily(p.Exe)
	if args, err := gp.CmdlineSliceWithContext(ctx); err == nil {
		p.Args = truncateArgs(args, st)
	}
	if uids, err := gp.UidsWithContext(ctx); err == nil && len(uids) > 0 {
		p.UID = strconv.Itoa(int(uids[0]))
	}
	if u, err := gp.UsernameWithContext(ctx); err == nil {
		p.User = u
	} else {
		p.User = p.UID
	}
	if ms, err := gp.CreateTimeWithContext(ctx); err == nil && ms > 0 {
		p.Start = time.UnixMilli(ms)
	}
	return p, nil
}

// truncateArgs keeps at most MaxCmdline bytes of arguments, like the Linux
// reader.
func truncateArgs(args []string, st *Stats) []string {
	n := 0
	for i, a := range args {
		n += len(a) + 1
		if n > MaxCmdline {
			st.Truncated++
			return args[:i]
		}
		if !utf8.ValidString(a) {
			st.BadEncoding++
			args[i] = strings.ToValidUTF8(a, "\uFFFD")
		}
	}
	return args
}
