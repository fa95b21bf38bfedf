package procscan

import (
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

// Matcher recognises a process.
type Matcher interface {
	MatchProcess(p signatures.Process) *signatures.Service
}

// Attribute keys of process observations.
const (
	AttrCmdline   = "cmdline"   // executable plus the matching arguments only
	AttrProcesses = "processes" // processes of the app (main process plus helpers)
	AttrStarted   = "started"   // start time of the app's main process, RFC 3339
)

// maxDepth bounds the walk up the parent chain (a corrupt or cyclic table
// must not loop).
const maxDepth = 64

// Match turns the processes that match a catalog service into
// observations stamped with t: one per running app. A matching process
// whose parent runs the same service for the same user is a helper
// (Electron renderers, GPU and utility processes, forked workers) and is
// counted in the app's "processes" attribute instead of being reported.
func Match(m Matcher, procs []Proc, t time.Time) []observe.Observation {
	byPID := make(map[int]int, len(procs))
	for i := range procs {
		byPID[procs[i].PID] = i
	}
	svcs := make([]*signatures.Service, len(procs))
	for i := range procs {
		svcs[i] = m.MatchProcess(procs[i].Signature())
	}
	type app struct {
		svc    *signatures.Service
		uid    string
		anchor int // pid of the main process, or of the parent of orphan helpers
	}
	count := map[app]int{}
	first := map[app]int{}
	var order []app
	for i := range procs {
		if svcs[i] == nil {
			continue
		}
		root := appRoot(procs, svcs, byPID, i)
		k := app{svcs[i], procs[i].UID, procs[root].PID}
		if isHelper(procs[root].Args) {
			// A helper whose main process did not match (it exited, or
			// only helpers carry the pattern): its siblings are the same app.
			k.anchor = -procs[root].PPID
		}
		if count[k] == 0 {
			first[k] = root
			order = append(order, k)
		}
		count[k]++
	}
	out := make([]observe.Observation, 0, len(order))
	for _, k := range order {
		i := first[k]
		out = append(out, observation(&procs[i], svcs[i], count[k], t))
	}
	return out
}

// isHelper reports a Chromium/Electron child process: the browser process
// starts every renderer, GPU, utility and zygote process with --type=.
func isHelper(args []string) bool {
	for _, a := range args[min(1, len(args)):] {
		if strings.HasPrefix(a, "--type=") {
			return true
		}
	}
	return false
}

// appRoot walks up from procs[i] while the parent runs the same service
// for the same user and returns the topmost such process.
func appRoot(procs []Proc, svcs []*signatures.Service, byPID map[int]int, i int) int {
	start := i
	for range maxDepth {
		j, ok := byPID[procs[i].PPID]
		if !ok || j == i || j == start || svcs[j] != svcs[i] || procs[j].UID != procs[i].UID {
			return i
		}
		i = j
	}
	return i
}

// Signature is what the catalog matches a process on.
func (p *Proc) Signature() signatures.Process {
	return signatures.Process{OS: runtime.GOOS, Name: p.Name, Exe: p.Exe, Args: p.Args, AppX: p.AppX}
}

func observation(p *Proc, svc *signatures.Service, n int, t time.Time) observe.Observation {
	o := observe.Observation{
		Time: t, Source: observe.Process, Service: svc, PID: p.PID, Exe: p.Exe, Process: p.Name, User: p.User,
		Attrs: map[string]string{AttrCmdline: Reduce(p, svc)},
	}
	if n > 1 {
		o.Attrs[AttrProcesses] = strconv.Itoa(n)
	}
	if !p.Start.IsZero() {
		o.Attrs[AttrStarted] = p.Start.UTC().Format(time.RFC3339)
	}
	return o
}

// Reduce is the command line as it may leave the host: the executable and
// only those arguments that a pattern of svc matched (the script an
// interpreter runs, a subcommand such as "app-server"). Everything else
// (prompts, file names, tokens) is dropped.
func Reduce(p *Proc, svc *signatures.Service) string {
	exe := p.Exe
	if exe == "" {
		exe = p.Name
	}
	keep := make([]bool, len(p.Args))
	if svc != nil {
		for _, pat := range svc.Processes {
			markScript(p.Args, pat.Script, keep)
			markArgs(p.Args, pat.Args, keep)
		}
	}
	parts := []string{exe}
	for i, a := range p.Args {
		if keep[i] {
			parts = append(parts, a)
		}
	}
	return strings.Join(parts, " ")
}

// markScript keeps the first argument that is not a flag when its base
// name, without a script suffix, is the pattern's script.
func markScript(args []string, script string, keep []bool) {
	if script == "" {
		return
	}
	for i := 1; i < len(args); i++ {
		if strings.HasPrefix(args[i], "-") {
			continue
		}
		base := strings.ToLower(filepath.Base(filepath.ToSlash(args[i])))
		for _, suf := range []string{".js", ".mjs", ".cjs", ".py"} {
			base = strings.TrimSuffix(base, suf)
		}
		keep[i] = keep[i] || base == strings.ToLower(script)
		return
	}
}

// markArgs keeps the run of arguments after argv[0] equal to want.
func markArgs(args, want []string, keep []bool) {
	for start := 1; len(want) > 0 && start+len(want) <= len(args); start++ {
		match := true
		for j, w := range want {
			match = match && strings.EqualFold(args[start+j], w)
		}
		if match {
			for j := range want {
				keep[start+j] = true
			}
			return
		}
	}
}

// MatchNew recognises a process that just started, reporting it unless it
// is a helper of an app already running: an Electron-style --type= child,
// or a child of a process of the same service and user. The periodic scan
// then reports the app with its helpers counted.
func MatchNew(m Matcher, p Proc, parent *Proc, t time.Time) (observe.Observation, bool) {
	svc := m.MatchProcess(p.Signature())
	if svc == nil || isHelper(p.Args) {
		return observe.Observation{}, false
	}
	if parent != nil && parent.UID == p.UID && m.MatchProcess(parent.Signature()) == svc {
		return observe.Observation{}, false
	}
	return observation(&p, svc, 1, t), true
}
