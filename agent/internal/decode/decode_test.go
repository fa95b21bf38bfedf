package decode

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// udp4 is an IPv4 UDP packet 10.0.0.1:5353 > 10.0.0.2:53 carrying "hi".
var udp4 = []byte{
	0x45, 0, 0, 30, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x14, 0xe9, 0, 53, 0, 10, 0, 0, 'h', 'i',
}

func TestFrameLinkLayers(t *testing.T) {
	eth := append([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2}, 0x08, 0x00)
	qinq := append([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2}, 0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00)
	pppoe := append([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2}, 0x88, 0x64, 0x11, 0, 0, 1, 0, 32, 0x00, 0x21)
	tests := []struct {
		name string
		lt   layers.LinkType
		hdr  []byte
	}{
		{"ethernet", layers.LinkTypeEthernet, eth},
		{"qinq", layers.LinkTypeEthernet, qinq},
		{"pppoe", layers.LinkTypeEthernet, pppoe},
		{"raw", layers.LinkTypeRaw, nil},
		{"null", layers.LinkTypeNull, []byte{2, 0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Packet
			if err := Frame(tc.lt, append(append([]byte(nil), tc.hdr...), udp4...), &p); err != nil {
				t.Fatal(err)
			}
			if p.Src != netip.MustParseAddr("10.0.0.1") || p.DstPort != 53 || string(p.Payload) != "hi" {
				t.Errorf("decoded %+v", p)
			}
		})
	}
}

func TestFragments(t *testing.T) {
	frag := append([]byte(nil), udp4...)
	frag[6], frag[7] = 0x20, 0x00 // more fragments, offset 0
	var p Packet
	if err := Frame(layers.LinkTypeRaw, frag, &p); err != nil || !p.Frag.IsFrag || !p.Frag.More || p.Frag.Offset != 0 || p.Frag.ID != 1 {
		t.Errorf("first fragment: %+v %v", p.Frag, err)
	}
	frag[6], frag[7] = 0x00, 0x03 // last fragment at 24
	if err := Frame(layers.LinkTypeRaw, frag, &p); err != nil || p.Frag.More || p.Frag.Offset != 24 {
		t.Errorf("last fragment: %+v %v", p.Frag, err)
	}
}

func TestGTPU(t *testing.T) {
	g := append([]byte{0x30, 0xff, 0, byte(len(udp4)), 0, 0, 0, 1}, udp4...)
	inner, ok := GTPU(g)
	if !ok || len(inner) != len(udp4) {
		t.Fatalf("GTPU = %d bytes, %v", len(inner), ok)
	}
	if _, ok := GTPU([]byte{0x30, 0x01, 0, 0, 0, 0, 0, 0}); ok {
		t.Error("an echo request was taken for a G-PDU")
	}
}

func TestFrameErrors(t *testing.T) {
	var p Packet
	for _, tc := range []struct {
		lt   layers.LinkType
		b    []byte
		want error
	}{
		{layers.LinkTypeEthernet, []byte{1, 2, 3}, ErrShort},
		{layers.LinkTypeRaw, []byte{0x20}, ErrNotIP},
		{layers.LinkType(147), udp4, ErrLinkType},
		{layers.LinkTypeRaw, udp4[:24], ErrShort},
	} {
		if err := Frame(tc.lt, tc.b, &p); !errors.Is(err, tc.want) {
			t.Errorf("Frame(%v, % x) = %v, want %v", tc.lt, tc.b, err, tc.want)
		}
	}
}

// FuzzFrame decodes arbitrary bytes under every link type the package
// reads, and GTP-U: errors, never a panic; a payload always lies inside
// the frame.
func FuzzFrame(f *testing.F) {
	f.Add(uint8(0), append([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00}, udp4...))
	f.Add(uint8(3), udp4)
	f.Add(uint8(5), append([]byte{0x30, 0xff, 0, 30, 0, 0, 0, 1}, udp4...))
	types := []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2,
		layers.LinkTypeRaw, layers.LinkTypeNull, layers.LinkTypeLoop}
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		var p Packet
		if int(kind)%(len(types)+1) == len(types) {
			if inner, ok := GTPU(b); ok && len(inner) > len(b) {
				t.Fatal("inner packet longer than the tunnel packet")
			}
			return
		}
		if err := Frame(types[int(kind)%(len(types)+1)], b, &p); err == nil && len(p.Payload) > len(b) {
			t.Fatal("payload longer than the frame")
		}
	})
}
