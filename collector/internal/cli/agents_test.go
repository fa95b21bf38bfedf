package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowai/shadowai/collector/internal/server"
	"github.com/shadowai/shadowai/collector/internal/store"
)

// hostileAgent enrolls an agent whose heartbeat fields carry terminal
// escape sequences, as a compromised endpoint could send them.
func hostileAgent(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, server.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var tok [32]byte
	if err := st.CreateToken(ctx, tok, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.Enroll(ctx, tok, store.Agent{ID: "agt-1", HostID: "h1", Hostname: "laptop", CertNotAfter: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	esc := "\x1b]0;owned\x07\x1b[2J"
	health := `{"catalogVersion":"v1\u001b[31m"}`
	if err := st.RecordHeartbeat(ctx, "agt-1", "evil"+esc, "linux"+esc, "1.0"+esc, health, time.Now()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestTablesEscapeAgentStrings: what an agent reports about itself is
// printed with its control characters made visible, never sent to the
// admin's terminal as escape sequences.
func TestTablesEscapeAgentStrings(t *testing.T) {
	dir := hostileAgent(t)
	for _, args := range [][]string{{"agents", "list"}, {"signatures", "status"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Main(append(args, "--data", dir), nil, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if strings.ContainsAny(out.String(), "\x1b\x07") {
				t.Errorf("escape sequences reach the terminal:\n%q", out.String())
			}
			if !strings.Contains(out.String(), `evil\x1b]0;owned\x07`) {
				t.Errorf("the host name is not shown escaped:\n%q", out.String())
			}
		})
	}
}
