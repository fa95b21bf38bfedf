package config

import (
	"os"
	"path/filepath"
)

func programData() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return d
	}
	return `C:\ProgramData`
}

// DefaultPath is where the agent looks for its configuration.
func DefaultPath() string { return filepath.Join(programData(), "shadowai", "agent.yaml") }

// DefaultStateDir is the agent's state directory on Windows.
func DefaultStateDir() string { return filepath.Join(programData(), "shadowai", "state") }
