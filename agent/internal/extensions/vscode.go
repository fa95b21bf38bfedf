package extensions

import (
	"encoding/json"
	"errors"
	"os"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// vscodeDirs are the extension folders of VS Code and its forks, the same
// relative to the home directory on every OS. The -server folders hold the
// extensions of remote (SSH, WSL, container) sessions on this host.
var vscodeDirs = []place{
	{"vscode", "", ".vscode/extensions"},
	{"vscode-insiders", "", ".vscode-insiders/extensions"},
	{"vscodium", "", ".vscode-oss/extensions"},
	{"vscode-server", "", ".vscode-server/extensions"},
	{"cursor", "", ".cursor/extensions"},
	{"cursor-server", "", ".cursor-server/extensions"},
	{"windsurf", "", ".windsurf/extensions"},
	{"windsurf-server", "", ".windsurf-server/extensions"},
}

// maxMeta bounds a metadata file read.
const maxMeta = 1 << 20

func (l *lister) vscodes() {
	for _, p := range l.places(vscodeDirs) {
		obsolete := l.obsolete(l.dir(p.rel, ".obsolete"))
		for _, name := range l.subdirs(l.dir(p.rel)) {
			if obsolete[name] {
				continue // uninstalled, waiting for the IDE to delete it
			}
			id, version, err := l.vsixID(l.dir(p.rel, name, "package.json"))
			if err != nil {
				id, version = ParseExtDir(name)
			}
			if id == "" {
				continue
			}
			l.add(Extension{ID: id, Version: version, App: p.app, Kind: IDE, Path: l.host(p.rel, name)})
		}
	}
}

func (l *lister) vsixID(path string) (id, version string, err error) {
	b, err := readMeta(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			l.st.Damaged++
		}
		return "", "", err
	}
	id, version, err = ParsePackageJSON(b)
	if err != nil {
		l.st.Damaged++
	}
	return id, version, err
}

// obsolete reads VS Code's list of uninstalled extension folders.
func (l *lister) obsolete(path string) map[string]bool {
	b, err := readMeta(path)
	if err != nil {
		return nil
	}
	var m map[string]bool
	if json.Unmarshal(b, &m) != nil {
		l.st.Damaged++
	}
	return m
}

// ParsePackageJSON returns "publisher.name" and the version of a VS Code
// extension manifest.
func ParsePackageJSON(b []byte) (id, version string, err error) {
	var m struct{ Publisher, Name, Version string }
	if err := json.Unmarshal(b, &m); err != nil {
		return "", "", err
	}
	if m.Publisher == "" || m.Name == "" {
		return "", "", errors.New("package.json has no publisher or name")
	}
	return m.Publisher + "." + m.Name, m.Version, nil
}

// ParseExtDir splits an extension folder name "publisher.name-1.2.3" (with
// an optional platform suffix "-linux-x64") into id and version: the
// version starts at the first '-' followed by a digit after the dot.
func ParseExtDir(name string) (id, version string) {
	dot := strings.IndexByte(name, '.')
	if dot <= 0 || versionAt(name[:dot]) >= 0 {
		return "", "" // no publisher, or the first dot is inside the version
	}
	if i := versionAt(name[dot:]); i >= 0 {
		return name[:dot+i], name[dot+i+1:]
	}
	return name, ""
}

// versionAt is the index of the first '-' followed by a digit, or -1.
func versionAt(s string) int {
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '-' && s[i+1] >= '0' && s[i+1] <= '9' {
			return i
		}
	}
	return -1
}

func readMeta(path string) ([]byte, error) {
	f, err := users.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return users.ReadAll(f, maxMeta)
}
