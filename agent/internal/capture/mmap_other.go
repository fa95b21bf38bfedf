//go:build !linux && !darwin

package capture

import (
	"os"
)

// mmapPcap is only used where the system offers mmap and madvise; other
// systems read files as streams.
type mmapPcap struct{}

func openMmapPcap(*os.File) (*mmapPcap, bool, error) { return nil, false, nil }
func (*mmapPcap) next() (Packet, error)              { return Packet{}, nil }
func (*mmapPcap) close() error                       { return nil }
