package config

// DefaultPath is where the agent looks for its configuration.
func DefaultPath() string { return "/Library/Application Support/shadowai/agent.yaml" }

// DefaultStateDir is the agent's state directory under launchd.
func DefaultStateDir() string { return "/Library/Application Support/shadowai/state" }
