package config

// DefaultPath is where the agent looks for its configuration.
func DefaultPath() string { return "/etc/shadowai/agent.yaml" }

// DefaultStateDir matches the systemd unit's StateDirectory.
func DefaultStateDir() string { return "/var/lib/shadowai-agent" }
