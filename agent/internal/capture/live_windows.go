package capture

import "errors"

// openLive explains why Windows has no live capture in this build: the
// only capture driver is Npcap, reached through gopacket/pcap, which
// needs cgo, and the agent is built without cgo so it stays one static
// binary. Capture with Npcap/Wireshark and read the file with
// `scan --pcap` instead.
func openLive(LiveConfig) (LiveSource, error) {
	return nil, errors.New("live capture on Windows needs Npcap through cgo, and this agent is built without cgo: " +
		"capture with Wireshark or pktmon and run `shadowai-agent scan --pcap FILE`")
}
