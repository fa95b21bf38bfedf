package signatures

import (
	"fmt"
	"strings"
)

// Process is what a process sensor knows of one running program.
type Process struct {
	// OS is the GOOS the process runs on.
	OS string
	// Name is the kernel's short name (comm) or image name. It is only a
	// fallback when Exe and Args are empty: programs rename their main
	// thread (GitHub Copilot CLI shows as "MainThread" on Linux).
	Name string
	// Exe is the full executable path.
	Exe string
	// Args is the command line, Args[0] included.
	Args []string
	// BundleID is the macOS bundle identifier of the app the process
	// belongs to, when the sensor knows it ("com.openai.chat").
	BundleID string
	// AppX is the Windows package family name of a packaged app, when the
	// sensor knows it ("Claude_pzs8sxrjxfjjc").
	AppX string
}

// ProcessPattern recognises a running program. Every non-empty field must
// match, and at least one of Exe, Script, Path, BundleID and AppX must be
// set. Names compare case-insensitively and whole: "ollama" does not match
// "ollama-exporter", and a ".exe" suffix is ignored on both sides.
type ProcessPattern struct {
	// OS limits the pattern to one GOOS ("linux", "darwin", "windows");
	// empty means any.
	OS string `yaml:"os"`
	// Exe is the executable base name ("ollama", "Cursor"). On macOS it
	// also matches every helper inside the app bundle of that name
	// ("Cursor.app/Contents/Frameworks/Cursor Helper (GPU).app/...").
	Exe string `yaml:"exe"`
	// Script is the base name of the script an interpreter (node, python,
	// bun, deno) runs: "gemini" matches "…/gemini", "gemini.js" and
	// "gemini.mjs".
	Script string `yaml:"script"`
	// Path is a run of whole path segments that must appear in the
	// executable path (or the script path for Script patterns), '/'
	// separated; '*' stands for any text inside one segment:
	// "@anthropic-ai/claude-code/bin", ".vscode/extensions/openai.chatgpt-*".
	Path string `yaml:"path"`
	// Args are whole arguments that must appear, consecutively, after
	// argv[0]: ["app-server"].
	Args []string `yaml:"args"`
	// BundleID is a macOS bundle identifier; it also matches the bundle
	// ids of the app's helpers, which extend it after a '.'.
	BundleID string `yaml:"bundle_id"`
	// AppX is a Windows AppX package family name.
	AppX string `yaml:"appx"`
}

// interpreters run a script named by their first non-flag argument.
var interpreters = map[string]bool{
	"node": true, "nodejs": true, "bun": true, "deno": true,
	"python": true, "python3": true, "pythonw": true, "py": true,
}

// scriptSuffixes are dropped from script names before lookup.
var scriptSuffixes = []string{".js", ".mjs", ".cjs", ".py"}

type processIndex struct {
	byExe    map[string][]procRule
	byScript map[string][]procRule
	byBundle map[string][]procRule
	byAppX   map[string][]procRule
	byPath   []procRule // patterns with a path and nothing else to key on
}

type procRule struct {
	svc  *Service
	pat  ProcessPattern
	path []string // Path split into lowercase segments
	args []string
}

func buildProcessIndex(svcs []*Service) (processIndex, error) {
	ix := processIndex{byExe: map[string][]procRule{}, byScript: map[string][]procRule{}, byBundle: map[string][]procRule{}, byAppX: map[string][]procRule{}}
	for _, s := range svcs {
		for _, p := range s.Processes {
			if err := ix.add(s, p); err != nil {
				return ix, fmt.Errorf("service %q: %w", s.ID, err)
			}
		}
	}
	return ix, nil
}

func (ix *processIndex) add(s *Service, p ProcessPattern) error {
	switch p.OS {
	case "", "linux", "darwin", "windows":
	default:
		return fmt.Errorf("process pattern os %q: want linux, darwin or windows", p.OS)
	}
	r := procRule{svc: s, pat: p, args: p.Args}
	if p.Path != "" {
		r.path = strings.Split(strings.ToLower(strings.Trim(p.Path, "/")), "/")
		for _, seg := range r.path {
			if seg == "" || seg == "." || seg == ".." {
				return fmt.Errorf("process path %q: empty or relative segment", p.Path)
			}
		}
	}
	for _, a := range p.Args {
		if a == "" {
			return fmt.Errorf("process args %q: empty argument", p.Args)
		}
	}
	keys := 0
	for _, k := range []string{p.Exe, p.Script, p.BundleID, p.AppX} {
		if k != "" {
			keys++
		}
	}
	if keys > 1 {
		return fmt.Errorf("process pattern %+v sets more than one of exe, script, bundle_id and appx: write one pattern each", p)
	}
	switch {
	case p.Exe != "":
		k := exeKey(p.Exe)
		ix.byExe[k] = append(ix.byExe[k], r)
	case p.Script != "":
		k := scriptKey(p.Script)
		ix.byScript[k] = append(ix.byScript[k], r)
	case p.BundleID != "":
		k := strings.ToLower(p.BundleID)
		ix.byBundle[k] = append(ix.byBundle[k], r)
	case p.AppX != "":
		k := strings.ToLower(p.AppX)
		ix.byAppX[k] = append(ix.byAppX[k], r)
	case p.Path != "":
		ix.byPath = append(ix.byPath, r)
	default:
		return fmt.Errorf("process pattern %+v has nothing to match on: set exe, script, path, bundle_id or appx", p)
	}
	return nil
}

// MatchProcess returns the service a running program belongs to, or nil.
// It tries, in order: the macOS bundle id, the AppX package, the
// executable's base name (and on macOS the app bundle it lives in), the
// script an interpreter runs, and path-only patterns.
func (c *Catalog) MatchProcess(p Process) *Service {
	ix := &c.procs
	exe := strings.ReplaceAll(p.Exe, `\`, "/")
	if exe == "" && len(p.Args) > 0 {
		exe = strings.ReplaceAll(p.Args[0], `\`, "/")
	}
	if s := ix.matchBundle(p, exe); s != nil {
		return s
	}
	if s := ix.first(ix.byAppX[strings.ToLower(p.AppX)], p, exe); p.AppX != "" && s != nil {
		return s
	}
	base := baseName(exe)
	if base == "" {
		base = p.Name
	}
	if s := ix.first(ix.byExe[exeKey(base)], p, exe); s != nil {
		return s
	}
	if s := ix.matchAppBundle(p, exe); s != nil {
		return s
	}
	if interpreters[exeKey(base)] {
		if script := scriptArg(p.Args); script != "" {
			script = strings.ReplaceAll(script, `\`, "/")
			if s := ix.first(ix.byScript[scriptKey(baseName(script))], p, script); s != nil {
				return s
			}
		}
	}
	return ix.first(ix.byPath, p, exe)
}

// matchBundle tries the bundle id and each of its dot-separated prefixes,
// so "com.anthropic.claudefordesktop.helper.Renderer" finds the pattern
// for "com.anthropic.claudefordesktop".
func (ix *processIndex) matchBundle(p Process, exe string) *Service {
	id := strings.ToLower(p.BundleID)
	for id != "" {
		if s := ix.first(ix.byBundle[id], p, exe); s != nil {
			return s
		}
		i := strings.LastIndexByte(id, '.')
		if i < 0 {
			return nil
		}
		id = id[:i]
	}
	return nil
}

// matchAppBundle recognises the helpers of a macOS app: any executable
// inside "NAME.app/Contents/" matches the darwin exe patterns of NAME.
func (ix *processIndex) matchAppBundle(p Process, exe string) *Service {
	if p.OS != "" && p.OS != "darwin" {
		return nil
	}
	i := strings.Index(strings.ToLower(exe), ".app/contents/")
	if i < 0 {
		return nil
	}
	name := baseName(exe[:i])
	for _, r := range ix.byExe[exeKey(name)] {
		if r.pat.OS == "darwin" && r.matches(p, exe) {
			return r.svc
		}
	}
	return nil
}

func (processIndex) first(rules []procRule, p Process, path string) *Service {
	for i := range rules {
		if rules[i].matches(p, path) {
			return rules[i].svc
		}
	}
	return nil
}

func (r *procRule) matches(p Process, path string) bool {
	switch {
	case r.pat.OS != "" && p.OS != "" && r.pat.OS != p.OS:
		return false
	case r.path != nil && !containsSegments(path, r.path):
		return false
	case r.args != nil && !containsArgs(p.Args, r.args):
		return false
	}
	return true
}

// containsSegments reports whether the run of segments pat (lowercase,
// '*' as a wildcard inside a segment) appears in path on segment
// boundaries, comparing case-insensitively. It does not allocate.
func containsSegments(path string, pat []string) bool {
	for start := 0; ; {
		if segmentsAt(path[start:], pat) {
			return true
		}
		i := strings.IndexByte(path[start:], '/')
		if i < 0 {
			return false
		}
		start += i + 1
	}
}

// segmentsAt reports whether path starts with the segments pat.
func segmentsAt(path string, pat []string) bool {
	for j, ps := range pat {
		seg, rest, more := strings.Cut(path, "/")
		if !globSegment(ps, seg) || !more && j < len(pat)-1 {
			return false
		}
		path = rest
	}
	return true
}

// globSegment matches one path segment against a lowercase pattern in
// which '*' stands for any run of characters.
func globSegment(pat, seg string) bool {
	star := strings.IndexByte(pat, '*')
	if star < 0 {
		return strings.EqualFold(pat, seg)
	}
	prefix, rest := pat[:star], pat[star+1:]
	if len(seg) < len(prefix) || !strings.EqualFold(seg[:len(prefix)], prefix) {
		return false
	}
	seg = seg[len(prefix):]
	for i := 0; i <= len(seg); i++ {
		if globSegment(rest, seg[i:]) {
			return true
		}
	}
	return false
}

// containsArgs reports whether want appears as consecutive whole
// arguments after argv[0].
func containsArgs(args, want []string) bool {
	if len(args) < 1 {
		return false
	}
	args = args[1:]
	for start := 0; start+len(want) <= len(args); start++ {
		ok := true
		for j, w := range want {
			if !strings.EqualFold(args[start+j], w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
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

func exeKey(name string) string {
	name = strings.ToLower(name)
	return strings.TrimSuffix(name, ".exe")
}

func scriptKey(name string) string {
	name = strings.ToLower(name)
	for _, s := range scriptSuffixes {
		if t, ok := strings.CutSuffix(name, s); ok {
			return t
		}
	}
	return name
}
