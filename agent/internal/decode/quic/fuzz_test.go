package quic

import "testing"

// FuzzInitial runs a UDP datagram through everything the sensor does with
// one: walk the coalesced long-header packets, derive keys, remove header
// protection, decrypt, and walk the frames. Seeds under testdata/fuzz are
// real client Initials (v1, v2, draft-29, T051, Chromium, the interop
// runner) from the conformance captures.
func FuzzInitial(f *testing.F) {
	f.Add([]byte{0xc0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x40, 0x20})
	scratch := make([]byte, 64<<10)
	f.Fuzz(func(t *testing.T, b []byte) {
		if sni := GQUICServerName(b); len(sni) > len(b) {
			t.Fatal("SNI longer than the packet")
		}
		for len(b) > 0 && IsLong(b) {
			h, err := ParseLong(b)
			if err == nil {
				openAndWalk(b, h, scratch)
			}
			if h.Size <= 0 || h.Size > len(b) {
				return
			}
			b = b[h.Size:]
		}
	})
}

func openAndWalk(b []byte, h Long, scratch []byte) {
	k, err := ClientKeys(h.Version, h.DCID)
	if err != nil {
		return
	}
	plain, err := k.Open(b, h, scratch)
	if err != nil {
		return
	}
	fr := NewFrames(plain, h.Version)
	for {
		if _, _, ok := fr.NextCrypto(); !ok {
			return
		}
	}
}
