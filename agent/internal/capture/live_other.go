//go:build !linux && !darwin && !windows

package capture

import (
	"fmt"
	"runtime"
)

func openLive(LiveConfig) (LiveSource, error) {
	return nil, fmt.Errorf("live capture is not supported on %s: capture with tcpdump and run `shadowai-agent scan --pcap FILE`", runtime.GOOS)
}
