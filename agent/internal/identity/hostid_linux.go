package identity

import (
	"os"
)

// osHostID reads systemd's machine id (machine-id(5)), falling back to the
// D-Bus copy on older systems.
func osHostID() (string, error) {
	var lastErr error
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		b, err := os.ReadFile(p)
		if err != nil {
			lastErr = err
			continue
		}
		id, err := normaliseID(string(b))
		if err == nil {
			return id, nil
		}
		lastErr = err
	}
	return "", lastErr
}
