package netsensor

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

var update = flag.Bool("update", false, "rewrite golden files")

func catalog(t testing.TB) *signatures.Catalog {
	t.Helper()
	c, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// scanJSONL renders a capture the way `scan --pcap --format jsonl` does.
func scanJSONL(t *testing.T, path string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := observe.NewWriter(&buf, observe.FormatJSONL)
	_, err := ReadFile(path, catalog(t), func(o *observe.Observation) { w.Write(o) })
	w.Flush()
	if err != nil { // damaged captures: the error is part of the expected output
		fmt.Fprintf(&buf, "error: %v\n", err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	var captures []string
	for _, pat := range []string{"testdata/*.pcap", "testdata/*.pcapng", "testdata/*/*.pcap", "testdata/*/*.pcapng"} {
		m, _ := filepath.Glob(pat)
		captures = append(captures, m...)
	}
	for _, c := range captures {
		t.Run(filepath.Base(c), func(t *testing.T) {
			got := scanJSONL(t, c)
			golden := c + ".golden.jsonl"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("scan of %s differs from %s (-want +got):\n%s", c, golden, diff)
			}
		})
	}
}

// TestLinkTypes re-frames a real loopback capture in every link type the
// sensor reads, in pcap and pcapng, and expects the same observations.
func TestLinkTypes(t *testing.T) {
	const src = "testdata/basic.pcap"
	want := scanJSONL(t, src)
	for _, lt := range []layers.LinkType{layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2, layers.LinkTypeNull, layers.LinkTypeLoop, layers.LinkTypeRaw} {
		for _, ng := range []bool{false, true} {
			name := lt.String()
			if ng {
				name += "-pcapng"
			}
			t.Run(name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "reframed")
				reframe(t, src, out, lt, ng)
				if diff := cmp.Diff(string(want), string(scanJSONL(t, out))); diff != "" {
					t.Errorf("(-ethernet +%s):\n%s", name, diff)
				}
			})
		}
	}
}

func reframe(t *testing.T, src, dst string, lt layers.LinkType, ng bool) {
	t.Helper()
	in, err := capture.OpenFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var write func(gopacket.CaptureInfo, []byte) error
	if ng {
		w, err := pcapgo.NewNgWriter(f, lt)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Flush()
		write = w.WritePacket
	} else {
		w := pcapgo.NewWriterNanos(f)
		if err := w.WriteFileHeader(65535, lt); err != nil {
			t.Fatal(err)
		}
		write = w.WritePacket
	}
	for {
		p, err := in.Next()
		if err != nil {
			return
		}
		if p.LinkType != layers.LinkTypeEthernet || len(p.Data) < 14 {
			t.Fatalf("source must be Ethernet-framed")
		}
		data := append(header(lt, binary.BigEndian.Uint16(p.Data[12:])), p.Data[14:]...)
		if err := write(gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(data), Length: len(data)}, data); err != nil {
			t.Fatal(err)
		}
	}
}

// header builds a link header of type lt for a packet of EtherType et.
func header(lt layers.LinkType, et uint16) []byte {
	switch lt {
	case layers.LinkTypeLinuxSLL:
		h := make([]byte, 16)
		binary.BigEndian.PutUint16(h[14:], et)
		return h
	case layers.LinkTypeLinuxSLL2:
		h := make([]byte, 20)
		binary.BigEndian.PutUint16(h[0:], et)
		return h
	case layers.LinkTypeNull: // host byte order, here little-endian
		return binary.LittleEndian.AppendUint32(nil, map[uint16]uint32{0x0800: 2, 0x86dd: 30}[et])
	case layers.LinkTypeLoop: // network byte order
		return binary.BigEndian.AppendUint32(nil, map[uint16]uint32{0x0800: 2, 0x86dd: 30}[et])
	}
	return nil
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	notCapture := filepath.Join(dir, "notes.txt")
	os.WriteFile(notCapture, []byte("this is not a capture\n"), 0o644)
	data, _ := os.ReadFile("testdata/basic.pcap")
	truncated := filepath.Join(dir, "truncated.pcap")
	os.WriteFile(truncated, data[:len(data)-40], 0o644)
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)
	for _, path := range []string{notCapture, truncated, empty, filepath.Join(dir, "missing.pcap")} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var n int
			_, err := ReadFile(path, catalog(t), func(*observe.Observation) { n++ })
			if err == nil {
				t.Fatalf("no error for %s", path)
			}
			t.Logf("%s: %v (%d observations before it)", filepath.Base(path), err, n)
		})
	}
}

func BenchmarkReadFile(b *testing.B) {
	cat := catalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadFile("testdata/basic.pcap", cat, func(*observe.Observation) {}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOfficeCapture reads the capture `make bench-net` generates
// (path in SHADOWAI_BENCH_PCAP); skipped without it.
func BenchmarkOfficeCapture(b *testing.B) {
	path := os.Getenv("SHADOWAI_BENCH_PCAP")
	if path == "" {
		b.Skip("set SHADOWAI_BENCH_PCAP to a capture (make bench-net generates one)")
	}
	cat := catalog(b)
	b.ReportAllocs()
	var st Stats
	for b.Loop() {
		var err error
		if st, err = ReadFile(path, cat, func(*observe.Observation) {}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// TestMixedLinkTypes writes basic.pcap into one pcapng with two
// interfaces of different link types, packets alternating between them,
// and expects the same observations: the link type is per interface.
func TestMixedLinkTypes(t *testing.T) {
	const src = "testdata/basic.pcap"
	want := scanJSONL(t, src)
	out := filepath.Join(t.TempDir(), "mixed.pcapng")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcapgo.NewNgWriter(f, layers.LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := w.AddInterface(pcapgo.NgInterface{LinkType: layers.LinkTypeRaw, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	in, err := capture.OpenFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for i := 0; ; i++ {
		p, err := in.Next()
		if err != nil {
			break
		}
		data, idx := p.Data, 0
		if i%2 == 1 {
			data, idx = p.Data[14:], raw
		}
		ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(data), Length: len(data), InterfaceIndex: idx}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	f.Close()
	if diff := cmp.Diff(string(want), string(scanJSONL(t, out))); diff != "" {
		t.Errorf("(-single link type +mixed):\n%s", diff)
	}
}
