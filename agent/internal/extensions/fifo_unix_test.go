//go:build unix

package extensions

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/shadowai/shadowai/agent/internal/users"
)

// TestFIFOMetadataDoesNotBlock: a user who puts a FIFO where an
// extension's metadata file belongs cannot stall the inventory (and with
// it the process sensor, which runs on the same loop): it is skipped as
// damaged.
func TestFIFOMetadataDoesNotBlock(t *testing.T) {
	home := t.TempDir()
	ext := filepath.Join(home, ".vscode", "extensions", "github.copilot-1.250.0")
	if err := os.MkdirAll(ext, 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(ext, "package.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan []Extension, 1)
	go func() {
		exts, _ := Inventory([]users.User{{Name: "mallory", Home: home, Dir: home}})
		done <- exts
	}()
	select {
	case exts := <-done:
		if len(exts) != 1 || exts[0].ID != "github.copilot" {
			t.Errorf("extensions = %+v, want github.copilot from its folder name", exts)
		}
	case <-time.After(5 * time.Second):
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil { // let the blocked reader go
			w.Close()
		}
		t.Fatal("the inventory blocked on a FIFO")
	}
}
