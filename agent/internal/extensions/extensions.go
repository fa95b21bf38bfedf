// Package extensions inventories the IDE extensions (VS Code and its
// forks Cursor and Windsurf, JetBrains IDEs) and browser extensions
// (Chrome, Edge, Brave, Chromium, Firefox) installed for every local user,
// and matches their ids against the catalog.
//
// Only metadata is read: folder names, package.json of VS Code
// extensions, plugin.xml inside JetBrains plugin jars, Firefox's
// extensions.json. Files that are damaged are skipped and counted.
package extensions

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/users"
	"github.com/shadowai/shadowai/signatures"
)

// Kinds of extension.
const (
	IDE     = "ide"
	Browser = "browser"
)

// Extension is one installed extension.
type Extension struct {
	ID, Version string
	// App is the program it extends: "vscode", "cursor", "windsurf",
	// "IntelliJIdea2025.1", "chrome", "edge", "brave", "firefox", ...
	App  string
	Kind string
	// Profile is the browser profile ("Default", "Profile 1",
	// "abcd1234.default-release"); empty for IDEs.
	Profile string
	// Path is the extension's folder (or, for Firefox, the profile) as
	// the host knows it.
	Path string
	User string
}

// Stats counts what an inventory read and skipped.
type Stats struct {
	Homes      int
	IDE        int
	Browser    int
	Damaged    int // metadata files that could not be parsed
	Unreadable int // folders that could not be listed
}

// Catalog recognises extension ids.
type Catalog interface {
	MatchExtension(id string) *signatures.Service
}

// Attribute keys of extension observations.
const (
	AttrID      = "extension_id"
	AttrVersion = "version"
	AttrApp     = "app"
	AttrKind    = "kind"
	AttrProfile = "profile"
	AttrPath    = "path"
)

// Inventory lists every extension installed under the given homes.
func Inventory(homes []users.User) ([]Extension, Stats) {
	st := Stats{Homes: len(homes)}
	var out []Extension
	for _, h := range homes {
		l := lister{home: h, st: &st}
		l.vscodes()
		l.jetbrains()
		l.chromiums()
		l.firefoxes()
		out = append(out, l.out...)
	}
	for _, e := range out {
		if e.Kind == IDE {
			st.IDE++
		} else {
			st.Browser++
		}
	}
	return out, st
}

// Observations turns the extensions the catalog knows into observations.
func Observations(cat Catalog, exts []Extension, t time.Time) []observe.Observation {
	var out []observe.Observation
	for _, e := range exts {
		svc := cat.MatchExtension(e.ID)
		if svc == nil {
			continue
		}
		attrs := map[string]string{AttrID: e.ID, AttrApp: e.App, AttrKind: e.Kind, AttrPath: e.Path}
		if e.Version != "" {
			attrs[AttrVersion] = e.Version
		}
		if e.Profile != "" {
			attrs[AttrProfile] = e.Profile
		}
		out = append(out, observe.Observation{Time: t, Source: observe.Extension, Service: svc, Process: e.App, User: e.User, Attrs: attrs})
	}
	return out
}

// lister collects one home's extensions.
type lister struct {
	home users.User
	st   *Stats
	out  []Extension
}

// place is a location relative to a home directory on one OS ("" = all).
type place struct{ app, os, rel string }

func (l *lister) places(ps []place) []place {
	var out []place
	for _, p := range ps {
		if p.os == "" || p.os == runtime.GOOS {
			out = append(out, p)
		}
	}
	return out
}

// dir is where a home-relative path is read; host is how the host names it.
func (l *lister) dir(rel ...string) string {
	return filepath.Join(append([]string{l.home.Dir}, rel...)...)
}

func (l *lister) host(rel ...string) string {
	return filepath.Join(append([]string{l.home.Home}, rel...)...)
}

// subdirs lists the folders in dir, sorted; a missing dir is empty, an
// unreadable one is counted.
func (l *lister) subdirs(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !os.IsNotExist(err) {
			l.st.Unreadable++
		}
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

func (l *lister) add(e Extension) {
	e.User = l.home.Name
	l.out = append(l.out, e)
}
