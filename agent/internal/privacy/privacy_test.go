package privacy

import (
	"testing"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

func TestStripHome(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/home/alice/.cursor/extensions/x", "~/.cursor/extensions/x"},
		{"/home/alice", "~"},
		{"/Users/bob/Library/x", "~/Library/x"},
		{"/root/.ollama/models", "~/.ollama/models"},
		{"/rootfs/x", "/rootfs/x"},
		{`C:\Users\carol\.vscode\extensions`, `~\.vscode\extensions`},
		{"/usr/bin/node /home/alice/.npm/@google/gemini-cli/bundle/gemini.js", "/usr/bin/node ~/.npm/@google/gemini-cli/bundle/gemini.js"},
		{"/usr/share/ollama/.ollama/models", "/usr/share/ollama/.ollama/models"},
		{"plain", "plain"},
	} {
		if got := StripHome(tc.in); got != tc.want {
			t.Errorf("StripHome(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUserHash(t *testing.T) {
	var off *Filter
	if off.User("alice") != "alice" {
		t.Error("a nil filter changed the name")
	}
	plain := New(Options{HashUsers: true})
	keyed := New(Options{HashUsers: true, Key: "org-secret"})
	a, b := plain.User("alice"), keyed.User("alice")
	if a == "alice" || b == "alice" || a == b || len(a) != len("hash:")+16 {
		t.Errorf("hashes: plain %q keyed %q", a, b)
	}
	if plain.User("alice") != a || plain.User("bob") == a {
		t.Error("hash is not a stable function of the name")
	}
	if plain.User("") != "" {
		t.Error("an unknown user became a hash")
	}
	o := observe.Observation{User: "alice", Exe: "/home/alice/bin/claude", Attrs: map[string]string{"path": "/home/alice/.ollama/models"}}
	keyed.Apply(&o)
	if o.User != b || o.Exe != "~/bin/claude" || o.Attrs["path"] != "~/.ollama/models" {
		t.Errorf("Apply: %+v", o)
	}
}
