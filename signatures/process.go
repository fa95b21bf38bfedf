package signatures

import (
	"path/filepath"
	"strings"
)

// Process is what a process sensor knows of one running program.
type Process struct {
	// OS is the GOOS the process runs on.
	OS string
	// Name is the kernel's short name (comm) or image name.
	Name string
	// Exe is the full executable path.
	Exe string
	// Args is the command line, Args[0] included.
	Args []string
}

// interpreters run a script named by their first non-flag argument.
var interpreters = map[string]bool{
	"node": true, "node.exe": true, "nodejs": true, "bun": true, "deno": true,
	"python": true, "python3": true, "python.exe": true,
}

type processIndex struct {
	byExe    map[string][]procRule
	byScript map[string][]procRule
}

type procRule struct {
	svc *Service
	pat ProcessPattern
}

func buildProcessIndex(svcs []*Service) processIndex {
	ix := processIndex{byExe: map[string][]procRule{}, byScript: map[string][]procRule{}}
	for _, s := range svcs {
		for _, p := range s.Processes {
			r := procRule{svc: s, pat: p}
			if p.Exe != "" {
				k := strings.ToLower(p.Exe)
				ix.byExe[k] = append(ix.byExe[k], r)
			}
			if p.Script != "" {
				k := strings.ToLower(p.Script)
				ix.byScript[k] = append(ix.byScript[k], r)
			}
		}
	}
	return ix
}

// MatchProcess returns the service a running program belongs to, or nil.
// Executable and script names match whole base names only: "ollama" does
// not match "ollama-exporter".
func (c *Catalog) MatchProcess(p Process) *Service {
	exe := p.Exe
	if exe == "" && len(p.Args) > 0 {
		exe = p.Args[0]
	}
	base := strings.ToLower(baseName(exe))
	if base == "" {
		base = strings.ToLower(p.Name)
	}
	if s := c.procs.first(c.procs.byExe[base], p, exe); s != nil {
		return s
	}
	if interpreters[base] {
		if script := scriptArg(p.Args); script != "" {
			k := strings.ToLower(baseName(script))
			if s := c.procs.first(c.procs.byScript[k], p, script); s != nil {
				return s
			}
			k = strings.TrimSuffix(strings.TrimSuffix(k, ".js"), ".mjs")
			return c.procs.first(c.procs.byScript[k], p, script)
		}
	}
	return nil
}

func (processIndex) first(rules []procRule, p Process, path string) *Service {
	for _, r := range rules {
		if r.pat.OS != "" && p.OS != "" && r.pat.OS != p.OS {
			continue
		}
		if r.pat.PathContains != "" && !strings.Contains(filepath.ToSlash(path), r.pat.PathContains) {
			continue
		}
		return r.svc
	}
	return nil
}

// scriptArg is the first argument after the interpreter that is not a flag.
func scriptArg(args []string) string {
	for _, a := range args[min(1, len(args)):] {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
