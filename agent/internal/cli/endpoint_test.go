package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

const fakeHost = "../../testdata/host"

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func records(t *testing.T, jsonl string) []observe.Record {
	t.Helper()
	var rs []observe.Record
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		if line == "" {
			continue
		}
		var r observe.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not jsonl: %v: %s", err, line)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestScanProcessesFakeHost(t *testing.T) {
	out, errs, code := runCLI(t, "scan", "--processes", "--root", fakeHost, "--format", "jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got := map[string]observe.Record{}
	for _, r := range records(t, out) {
		got[r.Source+" "+r.Service+" "+r.User] = r
		if strings.Contains(r.Attrs["cmdline"], "Falcon") || strings.Contains(r.Attrs["cmdline"], "salaries") {
			t.Errorf("a command line argument that matched nothing left the host: %q", r.Attrs["cmdline"])
		}
	}
	for key, pid := range map[string]int{
		"process anthropic-claude-code alice": 200, // native binary inside an npm package
		"process google-gemini-cli bob":       210, // node …/bundle/gemini.js
		"process github-copilot alice":        220, // thread name MainThread
		"process openai-codex alice":          230, // app-server under VS Code
		"process cursor alice":                400, // Electron: once for four processes
		"process ollama ollama":               100,
		"listener ollama ollama":              100,
		"listener llama-cpp bob":              110,
	} {
		if r, ok := got[key]; !ok || r.PID != pid {
			t.Errorf("%s: got %+v, want pid %d", key, r, pid)
		}
	}
	if r := got["process cursor alice"]; r.Attrs["processes"] != "4" {
		t.Errorf("cursor helpers not folded into the app: %+v", r.Attrs)
	}
	for _, r := range got {
		if r.User == "jan" || r.Service == "jan" || strings.Contains(r.Exe, "exporter") {
			t.Errorf("look-alike matched: %+v", r)
		}
	}
	if !strings.Contains(errs, "skipped 1 that exited, 2 unreadable") {
		t.Errorf("summary does not count the bad entries: %s", errs)
	}
}

func TestScanInventoryFakeHost(t *testing.T) {
	out, errs, code := runCLI(t, "scan", "--inventory", "--root", fakeHost, "--hash-users")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ext, stores int
	for _, r := range records(t, out) {
		if r.User == "alice" || r.User == "bob" || strings.Contains(r.Attrs["path"], "/home/alice") {
			t.Errorf("user name left the host with --hash-users: %+v", r)
		}
		switch r.Source {
		case "extension":
			ext++
		case "model_store":
			stores++
			if r.Attrs["bytes"] == "" || r.Attrs["bytes"] == "0" {
				t.Errorf("store without size: %+v", r)
			}
		}
	}
	if ext == 0 || stores != 4 {
		t.Errorf("%d extensions, %d model stores; want some and 4\n%s", ext, stores, out)
	}
}

func TestScanBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--processes", "--inventory"}, "exactly one of"},
		{[]string{"scan", "--inventory", "--root", "/nonexistent/x"}, "is not a directory"},
	} {
		_, errs, code := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
	}
}
