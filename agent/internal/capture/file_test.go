package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// writePcap writes frames with pcapgo in microsecond or nanosecond
// resolution.
func writePcap(t testing.TB, frames [][]byte, nanos bool) string {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if nanos {
		w = pcapgo.NewWriterNanos(&buf)
	}
	if err := w.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		ts := time.Unix(1700000000, int64(i)*1001)
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(f), Length: len(f) + i}, f); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "c.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readAll(t testing.TB, path string) ([]Packet, error) {
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Packet
	for {
		p, err := f.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
}

func TestPcapResolutions(t *testing.T) {
	frames := [][]byte{{0x45, 1, 2}, {0x60, 3}, {0x45}}
	for _, nanos := range []bool{false, true} {
		pkts, err := readAll(t, writePcap(t, frames, nanos))
		if err != nil || len(pkts) != 3 {
			t.Fatalf("nanos=%v: %d packets, err %v", nanos, len(pkts), err)
		}
		for i, p := range pkts {
			want := time.Unix(1700000000, int64(i)*1001)
			if !nanos {
				want = want.Truncate(time.Microsecond)
			}
			if !bytes.Equal(p.Data, frames[i]) || !p.Time.Equal(want) || p.LinkType != layers.LinkTypeRaw || p.Truncated != (i > 0) {
				t.Errorf("nanos=%v packet %d: %+v", nanos, i, p)
			}
		}
	}
}

func TestDamagedPcap(t *testing.T) {
	good, _ := os.ReadFile(writePcap(t, [][]byte{{0x45, 1, 2, 3}, {0x45, 4, 5, 6}}, false))
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(huge[24+8:], 1<<30)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"cut in a record", good[:len(good)-2], "truncated"},
		{"cut in a record header", good[:24+16+4+3], "truncated"},
		{"absurd record length", huge, "corrupt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.pcap")
			os.WriteFile(path, tc.data, 0o644)
			_, err := readAll(t, path)
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "text")
	os.WriteFile(path, []byte("hello, this is not a capture"), 0o644)
	if _, err := OpenFile(path); !errors.Is(err, ErrNotCapture) {
		t.Errorf("text file: err = %v", err)
	}
}

// FuzzFile reads arbitrary bytes as a capture file (the memory-mapped
// pcap reader and pcapgo's pcapng reader): errors, never a panic or a
// hang. Seeds: real captures' first kilobytes.
func FuzzFile(f *testing.F) {
	for _, seed := range []string{"../netsensor/testdata/basic.pcap", "../netsensor/testdata/conformance/quic-v2.pcapng", "../netsensor/testdata/conformance/tls_2_reasms.pcapng"} {
		if b, err := os.ReadFile(seed); err == nil {
			f.Add(b[:min(len(b), 2048)])
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "fuzz.cap")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		pkts, _ := readAll(t, path)
		for _, p := range pkts {
			if len(p.Data) > len(b) {
				t.Fatalf("packet of %d bytes from a %d-byte file", len(p.Data), len(b))
			}
		}
	})
}
