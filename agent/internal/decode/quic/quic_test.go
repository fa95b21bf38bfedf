package quic

import (
	"encoding/hex"
	"errors"
	"testing"
)

// TestInitialSecrets checks key derivation against the test vectors of
// RFC 9001 appendix A.1 and RFC 9369 appendix A.1 (DCID 0x8394c8f03e515708).
func TestInitialSecrets(t *testing.T) {
	dcid, _ := hex.DecodeString("8394c8f03e515708")
	tests := []struct {
		name        string
		version     uint32
		key, iv, hp string
	}{
		{"v1", V1, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{"v2", V2, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := lookup(tc.version)
			key, iv, hp, err := initialSecrets(p, dcid)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != tc.key || hex.EncodeToString(iv) != tc.iv || hex.EncodeToString(hp) != tc.hp {
				t.Errorf("key %x iv %x hp %x", key, iv, hp)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		v    uint32
		want Kind
	}{
		{V1, IETF}, {V2, IETF}, {0xff00001d, IETF}, {T051, IETF}, {0x1a2a3a4a, IETF},
		{0x51303436, GQUIC}, {0, Negotiation}, {0x12345678, Unknown}, {0xff000010, Unknown},
	}
	for _, tc := range tests {
		if got := Classify(tc.v); got != tc.want {
			t.Errorf("Classify(%#x) = %d, want %d", tc.v, got, tc.want)
		}
	}
}

func TestParseLongErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short header", []byte{0x40, 1, 2, 3, 4, 5, 6, 7}, ErrNotLong},
		{"dcid past end", []byte{0xc0, 0, 0, 0, 1, 9, 1}, ErrMalformed},
		{"cid too long", append([]byte{0xc0, 0, 0, 0, 1, 21}, make([]byte, 30)...), ErrCIDTooLong},
		{"unknown version", []byte{0xc0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0}, ErrVersion},
		{"handshake packet", []byte{0xe0, 0, 0, 0, 1, 0, 0, 1, 0}, ErrNotInitial},
		{"length past end", []byte{0xc0, 0, 0, 0, 1, 0, 0, 0, 0x40, 0xff}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseLong(tc.b); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFrames(t *testing.T) {
	// PADDING, PING, ACK (largest 5, delay 0, 1 range, first 2, gap 0, len 0),
	// CRYPTO off 3 "abc", CRYPTO off 0 "xyz", PADDING.
	payload := []byte{0, 1, 2, 5, 0, 1, 2, 0, 0, 6, 3, 3, 'a', 'b', 'c', 6, 0, 3, 'x', 'y', 'z', 0, 0}
	f := NewFrames(payload, V1)
	var got []string
	for {
		off, data, ok := f.NextCrypto()
		if !ok {
			break
		}
		got = append(got, string(rune('0'+off))+string(data))
	}
	if f.Err() != nil || len(got) != 2 || got[0] != "3abc" || got[1] != "0xyz" {
		t.Errorf("frames %q err %v", got, f.Err())
	}
	bad := NewFrames([]byte{0x10, 0}, V1) // MAX_DATA is not allowed in Initials
	if _, _, ok := bad.NextCrypto(); ok || !errors.Is(bad.Err(), ErrFrame) {
		t.Errorf("unexpected frame: err %v", bad.Err())
	}
}

// TestSealOpen seals a ClientHello split over two shuffled Initials, as
// Chromium sends it, and reads it back.
func TestSealOpen(t *testing.T) {
	hello := make([]byte, 1800)
	for i := range hello {
		hello[i] = byte(i)
	}
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for _, v := range []uint32{V1, V2, 0xff00001d} {
		got := make([]byte, len(hello))
		for i, part := range [][2]int{{1000, 1800}, {0, 1000}} {
			frames := AppendCrypto(nil, uint64(part[0]), hello[part[0]:part[1]])
			pkt, err := SealInitial(v, dcid, nil, uint32(i), frames, 1200)
			if err != nil {
				t.Fatal(err)
			}
			h, err := ParseLong(pkt)
			if err != nil || h.Size != len(pkt) {
				t.Fatalf("%#x: header %+v err %v", v, h, err)
			}
			k, _ := ClientKeys(v, h.DCID)
			plain, err := k.Open(pkt, h, make([]byte, 2048))
			if err != nil {
				t.Fatalf("%#x: %v", v, err)
			}
			f := NewFrames(plain, v)
			for {
				off, data, ok := f.NextCrypto()
				if !ok {
					break
				}
				copy(got[off:], data)
			}
		}
		if string(got) != string(hello) {
			t.Errorf("%#x: CRYPTO stream differs", v)
		}
	}
}

func TestGQUICServerName(t *testing.T) {
	// Q035 public header, 12-byte hash, STREAM frame header, then CHLO
	// with PAD (3 bytes) and SNI.
	pkt := []byte{0x0d, 1, 2, 3, 4, 5, 6, 7, 8, 'Q', '0', '3', '5', 1}
	pkt = append(pkt, make([]byte, 12)...)
	pkt = append(pkt, 0xa0, 0x01, 0x00, 0x04)
	pkt = append(pkt, "CHLO"...)
	pkt = append(pkt, 2, 0, 0, 0, 'P', 'A', 'D', 0, 3, 0, 0, 0, 'S', 'N', 'I', 0, 16, 0, 0, 0)
	pkt = append(pkt, "---yt3.ggpht.com"...)
	if !IsGQUICLegacy(pkt) {
		t.Fatal("not recognised as gQUIC")
	}
	if got := GQUICServerName(pkt); string(got) != "yt3.ggpht.com" {
		t.Errorf("SNI %q", got)
	}
	if got := GQUICServerName(pkt[:len(pkt)-4]); got != nil {
		t.Errorf("truncated CHLO gave %q", got)
	}
}
