// Package capture delivers raw packets with their link type and time, from
// capture files (pcap, pcapng) and, on supported systems, from live
// interfaces.
package capture

import (
	"time"

	"github.com/gopacket/gopacket/layers"
)

// Packet is one captured frame. Data is only valid until the next call to
// the source's Next: sources reuse their buffers.
type Packet struct {
	Data     []byte
	Time     time.Time
	LinkType layers.LinkType
	// Truncated is set when the frame was cut short by the snap length.
	Truncated bool
}
