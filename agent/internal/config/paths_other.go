//go:build !linux && !darwin && !windows

package config

// DefaultPath is where the agent looks for its configuration.
func DefaultPath() string { return "/usr/local/etc/shadowai/agent.yaml" }

// DefaultStateDir is the agent's state directory.
func DefaultStateDir() string { return "/var/db/shadowai-agent" }
