package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowai/shadowai/collector/internal/server"
	"github.com/shadowai/shadowai/collector/internal/store"
	"github.com/shadowai/shadowai/signatures"
)

// TestSignedCatalogUpdate publishes a catalog while a real agent runs: the
// agent switches to it without a restart and reports its version; a
// bundle the collector's key did not sign (its database tampered with) is
// refused and the accepted catalog stays in force, across a restart too.
func TestSignedCatalogUpdate(t *testing.T) {
	dir := t.TempDir()
	c := startCollector(t, filepath.Join(dir, "collector"), "127.0.0.1:0")
	state := filepath.Join(dir, "agent")
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
	embedded, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}

	a := startAgent(t, state)
	waitAgentCatalog(t, c.data, embedded.Version())

	tree := catalogTree(t, filepath.Join(dir, "catalog"), "2026.12.01-e2e", "e2e-ai.example")
	out := mustRun(t, collectorBin, "signatures", "publish", tree, "--data", c.data).stdout
	published := publishedVersion(t, out)
	waitAgentCatalog(t, c.data, published)
	a.waitLog(t, "signature catalog updated")
	classified := mustRun(t, agentBin, "classify", "--state", state, "--format", "jsonl", "e2e-ai.example").stdout
	if !strings.Contains(classified, `"service":"e2e-test-ai"`) {
		t.Errorf("classify with the agent's state does not use the published catalog: %s", classified)
	}

	forgeBundle(t, c.data, filepath.Join(dir, "forged"))
	a.waitLog(t, "refused signature bundle")
	a.waitLog(t, "signature does not verify")
	time.Sleep(time.Second) // several heartbeats: the refused bundle must not be taken later
	if got := agentCatalog(t, c.data); got != published {
		t.Fatalf("after a forged bundle the agent runs %q, want %q", got, published)
	}
	a.stop()

	// A restart runs the accepted bundle from the state directory and
	// still refuses the forged one.
	restarted := time.Now()
	b := startAgent(t, state)
	b.waitLog(t, "refused signature bundle")
	waitAgentCatalogSince(t, c.data, published, restarted)
	b.stop()
}

// agentProc is a running `shadowai-agent run` in live mode.
type agentProc struct {
	cmd *exec.Cmd
	log *syncBuffer
}

func startAgent(t *testing.T, state string) *agentProc {
	t.Helper()
	a := &agentProc{log: &syncBuffer{}}
	a.cmd = exec.Command(agentBin, "run", "--state", state, "--heartbeat", "200ms")
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.stop)
	return a
}

func (a *agentProc) stop() { stopProcess(a.cmd) }

func (a *agentProc) waitLog(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(a.log.String(), text) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("agent never logged %q:\n%s", text, a.log.String())
}

// syncBuffer is a bytes.Buffer safe for the process's writers and the test.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// catalogTree writes the repository's catalog plus one extra service into
// dir, with the given declared version.
func catalogTree(t *testing.T, dir, version, extraDomain string) string {
	t.Helper()
	src := "../../../signatures"
	files, _ := filepath.Glob(filepath.Join(src, "vendors", "*.yaml"))
	if err := os.MkdirAll(filepath.Join(dir, "vendors"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "vendors", filepath.Base(f)), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "VERSION"), []byte(version+"\n"), 0o644)
	extra := "vendor: E2E\nservices:\n  - id: e2e-test-ai\n    name: E2E test AI\n    category: chat_assistant\n" +
		"    domains: [" + extraDomain + "]\n    sources: {domains: https://example.com/e2e}\n"
	os.WriteFile(filepath.Join(dir, "vendors", "zz-e2e.yaml"), []byte(extra), 0o644)
	return dir
}

func publishedVersion(t *testing.T, out string) string {
	t.Helper()
	const prefix = "published signature bundle "
	i := strings.Index(out, prefix)
	if i < 0 {
		t.Fatalf("publish printed %q", out)
	}
	return strings.Fields(out[i+len(prefix):])[0]
}

// forgeBundle plays an attacker who can write the collector's database
// but does not have its signing key: a different catalog, signed with
// another key, made current.
func forgeBundle(t *testing.T, data, dir string) {
	t.Helper()
	tree := catalogTree(t, dir, "2026.12.02-forged", "forged-ai.example")
	content, version, err := signatures.BuildBundle(os.DirFS(tree))
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	st, err := store.Open(filepath.Join(data, server.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.PublishBundle(context.Background(), store.Bundle{
		Version: version, SHA256: signatures.BundleSHA256(content), Content: content,
		Signature: signatures.SignBundle(priv, content), PublicKey: pub, PublishedAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
}

type statusRow struct {
	Kind, Version, Hostname string
	AgentID                 string    `json:"agent_id"`
	LastHeartbeat           time.Time `json:"last_heartbeat"`
}

func agentCatalog(t *testing.T, data string) string {
	t.Helper()
	v, _ := agentStatus(t, data)
	return v
}

// agentStatus is the catalog version the (only) agent last reported, and when.
func agentStatus(t *testing.T, data string) (string, time.Time) {
	t.Helper()
	out := mustRun(t, collectorBin, "signatures", "status", "--data", data, "--format", "json").stdout
	var rows []statusRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("signatures status json: %v\n%s", err, out)
	}
	for _, r := range rows {
		if r.Kind == "agent" {
			return r.Version, r.LastHeartbeat
		}
	}
	return "", time.Time{}
}

func waitAgentCatalog(t *testing.T, data, want string) {
	t.Helper()
	waitAgentCatalogSince(t, data, want, time.Time{})
}

// waitAgentCatalogSince waits for a heartbeat after since reporting want.
func waitAgentCatalogSince(t *testing.T, data, want string, since time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		v, at := agentStatus(t, data)
		if got = v; got == want && !at.Before(since.Truncate(time.Second)) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the agent reports catalog %q, want %q (after %s)", got, want, since.Format(time.RFC3339))
}

// TestPublishBadInput: a catalog that is not valid is never published,
// and every mistake gets one line and a non-zero exit.
func TestPublishBadInput(t *testing.T) {
	dir := t.TempDir()
	c := startCollector(t, filepath.Join(dir, "collector"), "127.0.0.1:0")
	shared := catalogTree(t, filepath.Join(dir, "shared"), "1", "e2e-ai.example")
	os.WriteFile(filepath.Join(shared, "vendors", "zz-bad.yaml"), []byte(
		"vendor: Bad\nservices:\n  - {id: bad, name: Bad, category: chat_assistant, domains: [github.com], sources: {domains: https://example.com/}}\n"), 0o644)
	noVersion := catalogTree(t, filepath.Join(dir, "noversion"), "1", "e2e-ai.example")
	os.Remove(filepath.Join(noVersion, "VERSION"))
	notZip := filepath.Join(dir, "catalog.zip")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"shared apex rule", []string{"signatures", "publish", shared, "--data", c.data}, 1, "shared platform apex"},
		{"no VERSION", []string{"signatures", "publish", noVersion, "--data", c.data}, 1, "VERSION"},
		{"not a zip", []string{"signatures", "publish", notZip, "--data", c.data}, 1, "neither a directory nor a .zip"},
		{"missing file", []string{"signatures", "publish", filepath.Join(dir, "nope"), "--data", c.data}, 1, "no such file"},
		{"no file", []string{"signatures", "publish", "--data", c.data}, 2, "needs FILE"},
		{"no data", []string{"signatures", "publish", shared}, 2, "--data DIR is required"},
		{"no database", []string{"signatures", "publish", noVersion, "--data", filepath.Join(dir, "none")}, 1, "no collector database"},
		{"unknown subcommand", []string{"signatures", "frob"}, 2, "unknown signatures command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oneLine(t, tc.name, run(t, collectorBin, tc.args...), tc.code, tc.says)
		})
	}
	if out := mustRun(t, collectorBin, "signatures", "status", "--data", c.data).stdout; strings.Contains(out, "bundle") {
		t.Errorf("a bad catalog was published:\n%s", out)
	}
}
