package extensions

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// chromiumDirs are the user-data folders of Chromium-based browsers.
var chromiumDirs = []place{
	{"chrome", "linux", ".config/google-chrome"},
	{"chrome-beta", "linux", ".config/google-chrome-beta"},
	{"chromium", "linux", ".config/chromium"},
	{"chromium", "linux", "snap/chromium/common/chromium"},
	{"edge", "linux", ".config/microsoft-edge"},
	{"brave", "linux", ".config/BraveSoftware/Brave-Browser"},
	{"chrome", "darwin", "Library/Application Support/Google/Chrome"},
	{"chromium", "darwin", "Library/Application Support/Chromium"},
	{"edge", "darwin", "Library/Application Support/Microsoft Edge"},
	{"brave", "darwin", "Library/Application Support/BraveSoftware/Brave-Browser"},
	{"chrome", "windows", "AppData/Local/Google/Chrome/User Data"},
	{"chromium", "windows", "AppData/Local/Chromium/User Data"},
	{"edge", "windows", "AppData/Local/Microsoft/Edge/User Data"},
	{"brave", "windows", "AppData/Local/BraveSoftware/Brave-Browser/User Data"},
}

// firefoxDirs hold Firefox profiles (native, snap and flatpak installs).
var firefoxDirs = []place{
	{"firefox", "linux", ".mozilla/firefox"},
	{"firefox", "linux", "snap/firefox/common/.mozilla/firefox"},
	{"firefox", "linux", ".var/app/org.mozilla.firefox/.mozilla/firefox"},
	{"firefox", "darwin", "Library/Application Support/Firefox/Profiles"},
	{"firefox", "windows", "AppData/Roaming/Mozilla/Firefox/Profiles"},
}

// chromeID is a Chrome Web Store id: 32 letters a-p.
func chromeID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'p' {
			return false
		}
	}
	return true
}

func (l *lister) chromiums() {
	for _, p := range l.places(chromiumDirs) {
		for _, profile := range l.subdirs(l.dir(p.rel)) {
			exts := filepath.Join(p.rel, profile, "Extensions")
			for _, id := range l.subdirs(l.dir(exts)) {
				if !chromeID(id) {
					continue
				}
				l.add(Extension{ID: id, Version: lastVersion(l.subdirs(l.dir(exts, id))), App: p.app, Kind: Browser,
					Profile: profile, Path: l.host(exts, id)})
			}
		}
	}
}

// lastVersion picks the newest of an extension's version folders
// ("1.2.0_0"): Chrome keeps the old one until the browser restarts.
func lastVersion(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	slices.SortFunc(vs, compareVersions)
	return strings.TrimSuffix(vs[len(vs)-1], "_0")
}

func compareVersions(a, b string) int {
	as, bs := strings.FieldsFunc(a, isSep), strings.FieldsFunc(b, isSep)
	for i := 0; i < min(len(as), len(bs)); i++ {
		if len(as[i]) != len(bs[i]) {
			return len(as[i]) - len(bs[i])
		}
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}

func isSep(r rune) bool { return r == '.' || r == '_' }

func (l *lister) firefoxes() {
	for _, p := range l.places(firefoxDirs) {
		for _, profile := range l.subdirs(l.dir(p.rel)) {
			b, err := readMeta(l.dir(p.rel, profile, "extensions.json"))
			if err != nil {
				if !errors.Is(err, os.ErrNotExist) {
					l.st.Damaged++
				}
				continue
			}
			addons, err := ParseFirefox(b)
			if err != nil {
				l.st.Damaged++
				continue
			}
			for _, a := range addons {
				l.add(Extension{ID: a.ID, Version: a.Version, App: p.app, Kind: Browser, Profile: profile, Path: l.host(p.rel, profile)})
			}
		}
	}
}

// Addon is one Firefox add-on.
type Addon struct{ ID, Version string }

// ParseFirefox returns the extensions a user installed from a profile's
// extensions.json; themes, dictionaries and add-ons built into Firefox are
// left out.
func ParseFirefox(b []byte) ([]Addon, error) {
	var m struct {
		Addons []struct {
			ID, Version, Type, Location string
		} `json:"addons"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	var out []Addon
	for _, a := range m.Addons {
		if a.ID == "" || a.Type != "extension" || strings.HasPrefix(a.Location, "app-builtin") || strings.HasPrefix(a.Location, "app-system") {
			continue
		}
		out = append(out, Addon{ID: a.ID, Version: a.Version})
	}
	return out, nil
}
