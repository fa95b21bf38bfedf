package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the agent free of collector code, SQLite and cgo: it is
// deployed to every laptop and must cross-compile without a C toolchain.
func TestDeps(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		switch {
		case strings.Contains(pkg, "/collector/"):
			t.Errorf("agent imports collector package %s", pkg)
		case strings.Contains(pkg, "sqlite"):
			t.Errorf("agent imports %s", pkg)
		case pkg == "runtime/cgo":
			t.Errorf("agent needs cgo")
		}
	}
}
