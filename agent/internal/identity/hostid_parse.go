package identity

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ioregUUID finds the UUID in `ioreg -rd1 -c IOPlatformExpertDevice`
// output: a line like   "IOPlatformUUID" = "564D2C1B-...".
var ioregUUID = regexp.MustCompile(`"IOPlatformUUID"\s*=\s*"([^"]*)"`)

func parseIOPlatformUUID(out []byte) (string, error) {
	m := ioregUUID.FindSubmatch(out)
	if m == nil {
		return "", errors.New("ioreg output has no IOPlatformUUID")
	}
	return normaliseID(string(m[1]))
}

// normaliseID lowercases an id and rejects what cannot be one: empty, too
// long, or a placeholder that many machines share.
func normaliseID(id string) (string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	switch {
	case id == "":
		return "", errors.New("machine id is empty")
	case len(id) > 128:
		return "", fmt.Errorf("machine id is %d bytes long, not an id", len(id))
	case strings.Trim(id, "0-") == "", strings.Trim(id, "f-") == "", id == "uninitialized":
		return "", fmt.Errorf("machine id %q is a placeholder, not unique to this host", id)
	}
	return id, nil
}
