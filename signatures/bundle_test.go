package signatures

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func testBundle(t testing.TB) []byte {
	t.Helper()
	content, _, err := BuildBundle(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	return content
}

func TestBundleRoundTrip(t *testing.T) {
	content, version, err := BuildBundle(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	if want := embeddedCatalog(t).Version(); version != want {
		t.Errorf("bundle of the source tree has version %q, the embedded catalog %q", version, want)
	}
	again, _, _ := BuildBundle(os.DirFS("."))
	if !bytes.Equal(content, again) {
		t.Error("building the same tree twice gave different bytes")
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	sig := SignBundle(priv, content)
	if err := VerifyBundle(pub, content, sig); err != nil {
		t.Fatalf("verify own signature: %v", err)
	}
	cat, err := OpenBundle(content)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Version() != version || len(cat.Services()) != len(embeddedCatalog(t).Services()) {
		t.Errorf("opened bundle: version %q with %d services", cat.Version(), len(cat.Services()))
	}
}

func TestBundleTampered(t *testing.T) {
	content := testBundle(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, otherPriv, _ := ed25519.GenerateKey(nil)
	sig := SignBundle(priv, content)
	flipped := bytes.Clone(content)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name         string
		key          ed25519.PublicKey
		content, sig []byte
	}{
		{"content changed", pub, flipped, sig},
		{"signed by another key", pub, content, SignBundle(otherPriv, content)},
		{"verified with another key", otherPub, content, sig},
		{"signature truncated", pub, content, sig[:10]},
		{"no signature", pub, content, nil},
		{"no trusted key", nil, content, sig},
		{"raw ed25519 without context", pub, content, ed25519.Sign(priv, content)},
	}
	for _, tc := range tests {
		if err := VerifyBundle(tc.key, tc.content, tc.sig); err == nil {
			t.Errorf("%s: verified", tc.name)
		}
	}
}

func TestOpenBundleBadInput(t *testing.T) {
	var noVersion bytes.Buffer
	zw := zip.NewWriter(&noVersion)
	w, _ := zw.Create("vendors/x.yaml")
	w.Write([]byte("vendor: X\nservices: []\n"))
	zw.Close()
	tests := []struct {
		name    string
		content []byte
		says    string
	}{
		{"empty", nil, "not a catalog archive"},
		{"text", []byte("hello"), "not a catalog archive"},
		{"no VERSION", noVersion.Bytes(), "VERSION"},
		{"too large", make([]byte, MaxBundle+1), "more than"},
	}
	for _, tc := range tests {
		_, err := OpenBundle(tc.content)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.says)
		}
	}
}

func TestBuildBundleBadTree(t *testing.T) {
	tests := []struct {
		name string
		fs   fstest.MapFS
		says string
	}{
		{"no VERSION", fstest.MapFS{"vendors/a.yaml": {Data: []byte("vendor: A\n")}}, "VERSION"},
		{"bad VERSION", fstest.MapFS{"VERSION": {Data: []byte("1 2\n")}, "vendors/a.yaml": {Data: []byte("vendor: A\n")}}, "one word"},
		{"no vendors", fstest.MapFS{"VERSION": {Data: []byte("1\n")}}, "no vendor files"},
		{"shared apex", fstest.MapFS{"VERSION": {Data: []byte("1\n")}, "vendors/a.yaml": {Data: []byte(
			"vendor: A\nservices:\n  - {id: a, name: A, category: chat_assistant, domains: [google.com], sources: {domains: https://a.example/}}\n")}}, "shared platform apex"},
		{"unsourced", fstest.MapFS{"VERSION": {Data: []byte("1\n")}, "vendors/a.yaml": {Data: []byte(
			"vendor: A\nservices:\n  - {id: a, name: A, category: chat_assistant, domains: [a.example]}\n")}}, "has no source"},
		{"unknown field", fstest.MapFS{"VERSION": {Data: []byte("1\n")}, "vendors/a.yaml": {Data: []byte(
			"vendor: A\nservices:\n  - {id: a, name: A, category: chat_assistant, domain: [a.example]}\n")}}, "field domain not found"},
	}
	for _, tc := range tests {
		_, _, err := BuildBundle(tc.fs)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.says)
		}
	}
}

// FuzzOpenBundle: a bundle comes from the network; whatever its bytes,
// opening it returns a catalog or an error, never a panic or a hang.
func FuzzOpenBundle(f *testing.F) {
	f.Add(testBundle(f))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, content []byte) {
		OpenBundle(content)
	})
}

// FuzzParseVendor: vendor files come from a bundle or from an admin.
func FuzzParseVendor(f *testing.F) {
	for _, name := range []string{"vendors/openai.yaml", "vendors/ollama.yaml", "vendors/amazon.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("vendor: X\nservices:\n  - {id: x, name: X, category: chat_assistant, domains: [x.example], sources: {domains: https://x.example/}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		svcs, err := parseVendor("fuzz.yaml", data)
		if err != nil {
			return
		}
		if c, err := compile("fuzz", svcs); err == nil {
			c.MatchDomain("a.b.example")
			c.MatchProcess(Process{Exe: "/usr/bin/x", Args: []string{"x", "y"}})
		}
	})
}

// FuzzMatchDomain: names come straight off the wire.
func FuzzMatchDomain(f *testing.F) {
	c := embeddedCatalog(f)
	for _, n := range []string{"chatgpt.com", "A.B.C.", "..", "x.hf.space", strings.Repeat("a.", 130)} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := c.MatchDomain(name)
		upper := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r - 'a' + 'A'
			}
			return r
		}, name)
		if s != nil && c.MatchDomain(upper) != s {
			t.Errorf("%q matched %s but its upper case did not", name, s.ID)
		}
	})
}
