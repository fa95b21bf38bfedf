package identity

import (
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// osHostID reads the MachineGuid Windows creates at installation, from the
// 64-bit registry view even in a 32-bit process.
func osHostID() (string, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Cryptography`, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return "", fmt.Errorf("opening the Cryptography registry key: %w", err)
	}
	defer k.Close()
	id, _, err := k.GetStringValue("MachineGuid")
	if err != nil {
		return "", fmt.Errorf("reading MachineGuid: %w", err)
	}
	return normaliseID(id)
}
