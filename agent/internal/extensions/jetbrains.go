package extensions

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// jetbrainsDirs hold one folder per IDE and version (IntelliJIdea2025.1,
// PyCharm2024.3, ...). On Linux the plugins sit directly in it; elsewhere
// in its plugins folder.
var jetbrainsDirs = []place{
	{"", "linux", ".local/share/JetBrains"},
	{"plugins", "darwin", "Library/Application Support/JetBrains"},
	{"plugins", "windows", "AppData/Roaming/JetBrains"},
}

// product matches an IDE folder name: letters then a year.release.
var product = regexp.MustCompile(`^[A-Za-z]+[0-9]{4}\.[0-9]+$`)

// maxJars bounds the jars opened per plugin looking for its plugin.xml.
const maxJars = 50

func (l *lister) jetbrains() {
	for _, p := range l.places(jetbrainsDirs) {
		for _, ide := range l.subdirs(l.dir(p.rel)) {
			if !product.MatchString(ide) {
				continue
			}
			plugins := filepath.Join(p.rel, ide, p.app)
			for _, name := range l.subdirs(l.dir(plugins)) {
				id, version, ok := l.pluginID(l.dir(plugins, name, "lib"), name)
				if ok {
					l.add(Extension{ID: id, Version: version, App: ide, Kind: IDE, Path: l.host(plugins, name)})
				}
			}
		}
	}
}

// pluginID finds META-INF/plugin.xml in the plugin's jars, trying first the
// jars named like the plugin folder.
func (l *lister) pluginID(lib, name string) (id, version string, ok bool) {
	jars, _ := filepath.Glob(filepath.Join(lib, "*.jar"))
	slices.SortStableFunc(jars, func(a, b string) int {
		return boolInt(!strings.HasPrefix(filepath.Base(a), name)) - boolInt(!strings.HasPrefix(filepath.Base(b), name))
	})
	damaged := false
	for _, j := range jars[:min(len(jars), maxJars)] {
		b, err := pluginXML(j)
		if errors.Is(err, errNoPluginXML) {
			continue
		}
		if err == nil {
			if id, version, err = ParsePluginXML(b); err == nil {
				return id, version, true
			}
		}
		damaged = true
	}
	if damaged {
		l.st.Damaged++
	}
	return "", "", false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var errNoPluginXML = errors.New("no META-INF/plugin.xml")

// pluginXML reads META-INF/plugin.xml from a jar without unpacking the rest.
func pluginXML(jar string) ([]byte, error) {
	jf, err := users.OpenRegular(jar)
	if err != nil {
		return nil, err
	}
	defer jf.Close()
	fi, err := jf.Stat()
	if err != nil {
		return nil, err
	}
	z, err := zip.NewReader(jf, fi.Size())
	if err != nil {
		return nil, err
	}
	for _, f := range z.File {
		if f.Name != "META-INF/plugin.xml" {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return users.ReadAll(r, maxMeta)
	}
	return nil, errNoPluginXML
}

// ParsePluginXML returns the id (or, for old plugins without one, the
// name) and version of a JetBrains plugin descriptor.
func ParsePluginXML(b []byte) (id, version string, err error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var m struct {
		XMLName xml.Name `xml:"idea-plugin"`
		ID      string   `xml:"id"`
		Name    string   `xml:"name"`
		Version string   `xml:"version"`
	}
	if err := d.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return "", "", err
	}
	id = strings.TrimSpace(m.ID)
	if id == "" {
		id = strings.TrimSpace(m.Name)
	}
	if id == "" {
		return "", "", errors.New("plugin.xml has no id or name")
	}
	return id, strings.TrimSpace(m.Version), nil
}
