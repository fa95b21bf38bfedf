package extensions

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/agent/internal/fixture"
	"github.com/shadowai/shadowai/agent/internal/users"
)

func TestInventoryFakeHost(t *testing.T) {
	homes, err := users.Open(fixture.Host()).Homes()
	if err != nil {
		t.Fatal(err)
	}
	exts, st := Inventory(homes)
	if diff := cmp.Diff(Stats{Homes: 5, IDE: 9, Browser: 6, Damaged: 3}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range exts {
		enc.Encode(e)
	}
	fixture.Golden(t, "testdata/inventory.golden.jsonl", buf.Bytes())
	obs := Observations(fixture.Catalog(t), exts, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fixture.Golden(t, "testdata/observations.golden.jsonl", fixture.JSONL(obs))
}

func TestParseExtDir(t *testing.T) {
	for _, tc := range []struct{ in, id, version string }{
		{"github.copilot-1.250.0", "github.copilot", "1.250.0"},
		{"ms-python.python-2025.1.0", "ms-python.python", "2025.1.0"},
		{"github.copilot-chat-0.30.0", "github.copilot-chat", "0.30.0"},
		{"rust-lang.rust-analyzer-0.3.2-linux-x64", "rust-lang.rust-analyzer", "0.3.2-linux-x64"},
		{"noversion.ext", "noversion.ext", ""},
		{"nodot-1.0", "", ""},
		{".obsolete", "", ""},
	} {
		id, v := ParseExtDir(tc.in)
		if id != tc.id || v != tc.version {
			t.Errorf("ParseExtDir(%q) = %q %q, want %q %q", tc.in, id, v, tc.id, tc.version)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	if compareVersions("1.10.0_0", "1.9.3_0") <= 0 || lastVersion([]string{"1.9.3_0", "1.10.0_0"}) != "1.10.0" {
		t.Error("1.10.0 must sort after 1.9.3")
	}
}

func FuzzParsePackageJSON(f *testing.F) {
	f.Add([]byte(`{"name":"copilot","publisher":"GitHub","version":"1.250.0"}`))
	f.Add([]byte(`{not json`))
	f.Add([]byte(`{"name":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if id, _, err := ParsePackageJSON(b); err == nil && !strings.Contains(id, ".") {
			t.Errorf("id %q without a publisher", id)
		}
	})
}

func FuzzParseExtDir(f *testing.F) {
	for _, s := range []string{"github.copilot-1.250.0", "a.b-", ".x-1", "a.-1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, v := ParseExtDir(s)
		if id != "" && !strings.HasPrefix(s, id) || v != "" && !strings.HasSuffix(s, v) {
			t.Errorf("%q split into %q %q", s, id, v)
		}
	})
}

func FuzzParsePluginXML(f *testing.F) {
	f.Add([]byte("<idea-plugin>\n  <id>com.github.copilot</id>\n  <name>GitHub Copilot</name>\n  <version>1.5.0</version>\n</idea-plugin>\n"))
	f.Add([]byte("<idea-plugin><name>Old</name></idea-plugin>"))
	f.Add([]byte("<idea-plugin><id>"))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a 'aaaa'>]><idea-plugin><id>&a;&a;</id></idea-plugin>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if id, _, err := ParsePluginXML(b); err == nil && id == "" {
			t.Error("no error and no id")
		}
	})
}

func FuzzParseFirefox(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(fixture.Host(), "home/alice/.mozilla/firefox/abcd1234.default-release/extensions.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"addons": [`))
	f.Add([]byte(`{"addons": [{"id": "", "type": "extension"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		addons, err := ParseFirefox(b)
		for _, a := range addons {
			if err != nil || a.ID == "" {
				t.Errorf("addon %+v with error %v", a, err)
			}
		}
	})
}
