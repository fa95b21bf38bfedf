package identity

import (
	"context"
	"fmt"
	"os/exec"
	"time"
)

// osHostID reads the hardware UUID (IOPlatformUUID) from the I/O Kit
// registry, the id macOS management tools use for a Mac.
func osHostID() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice").Output()
	if err != nil {
		return "", fmt.Errorf("reading IOPlatformUUID with ioreg: %w", err)
	}
	return parseIOPlatformUUID(out)
}
