package dns

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A query for ChatGPT.com A IN, as dig sends it (0x20 mixed case).
var query = []byte{
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 'C', 'h', 'a', 't', 'G', 'P', 'T', 0x03, 'c', 'o', 'm', 0x00,
	0x00, 0x01, 0x00, 0x01,
}

// response answers chatgpt.com with a CNAME chain and two addresses:
// chatgpt.com CNAME cdn.example.net, cdn.example.net A 104.18.32.47 and
// AAAA 2606:4700::6812:202f, all names compressed.
var response = []byte{
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x07, 'c', 'h', 'a', 't', 'g', 'p', 't', 0x03, 'c', 'o', 'm', 0x00, // 12: question name
	0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x11, // CNAME, rdata at 41
	0x03, 'c', 'd', 'n', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'n', 'e', 't', 0x00,
	0xc0, 0x29, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 104, 18, 32, 47,
	0xc0, 0x29, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x10,
	0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x68, 0x12, 0x20, 0x2f,
}

func TestFirstQuestion(t *testing.T) {
	var buf Name
	h, q, next, err := FirstQuestion(query, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != 0x1234 || h.Response || string(q.Name) != "chatgpt.com" || q.Type != TypeA || next != len(query) {
		t.Errorf("got %+v %q type %d next %d", h, q.Name, q.Type, next)
	}
}

func TestRecords(t *testing.T) {
	var buf, target Name
	h, q, next, err := FirstQuestion(response, &buf)
	if err != nil || !h.Response || h.ANCount != 3 {
		t.Fatalf("header %+v err %v", h, err)
	}
	if string(q.Name) != "chatgpt.com" {
		t.Fatalf("question %q", q.Name)
	}
	var got []string
	rs := NewRecords(response, next, int(h.ANCount))
	for {
		rr, n, ok := rs.Next(&buf)
		if !ok {
			break
		}
		line := string(buf[:n]) + " "
		switch rr.Type {
		case TypeCNAME:
			tn, _, err := ReadName(response, rr.DataOff, &target)
			if err != nil {
				t.Fatal(err)
			}
			line += "CNAME " + string(target[:tn])
		case TypeA, TypeAAAA:
			a, _ := netip.AddrFromSlice(rr.Data)
			line += "addr " + a.String()
		}
		got = append(got, line)
	}
	if rs.Err() != nil {
		t.Fatal(rs.Err())
	}
	want := []string{"chatgpt.com CNAME cdn.example.net", "cdn.example.net addr 104.18.32.47", "cdn.example.net addr 2606:4700::6812:202f"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestReadNameErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		off  int
		want error
	}{
		{"self pointer", []byte{0xc0, 0x00}, 0, ErrPointer},
		{"forward pointer", []byte{0xc0, 0x02, 0x00}, 0, ErrPointer},
		{"loop", []byte{0x01, 'a', 0xc0, 0x04, 0xc0, 0x00}, 4, ErrPointer},
		{"label past end", []byte{0x05, 'a'}, 0, ErrShort},
		{"reserved bits", []byte{0x80}, 0, ErrName},
		{"no terminator", []byte{0x01, 'a'}, 0, ErrShort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf Name
			if _, _, err := ReadName(tc.msg, tc.off, &buf); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReadNameTooLong(t *testing.T) {
	var msg []byte
	for range 5 {
		msg = append(msg, 63)
		for range 63 {
			msg = append(msg, 'a')
		}
	}
	msg = append(msg, 0)
	var buf Name
	if _, _, err := ReadName(msg, 0, &buf); !errors.Is(err, ErrTooLong) {
		t.Errorf("err = %v, want ErrTooLong", err)
	}
}

func TestEscaping(t *testing.T) {
	tests := []struct {
		name string
		wire []byte
		want string
	}{
		{"plain", []byte("\x03WwW\x07Example\x03COM\x00"), "www.example.com"},
		{"control bytes", []byte("\x04a\x00\nb\x03com\x00"), `a\000\010b.com`},
		{"dot inside label", []byte("\x03a.b\x03com\x00"), `a\.b.com`},
		{"backslash and high bytes", []byte("\x03\\\xff\xe9\x00"), `\\\255\233`},
		{"underscore and hyphen kept", []byte("\x06_dmarc\x05x-y_z\x00"), "_dmarc.x-y_z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf Name
			n, _, err := ReadName(tc.wire, 0, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(buf[:n]); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	var buf Name
	if got := string(AppendHost(&buf, []byte("API.OpenAI.com\x00\x7f"))); got != `api.openai.com\000\127` {
		t.Errorf("AppendHost = %q", got)
	}
}

// TestWorstCaseFits: 253 wire bytes that all need escaping fit the buffer.
func TestWorstCaseFits(t *testing.T) {
	var msg []byte
	for _, l := range []int{63, 63, 63, 61} {
		msg = append(msg, byte(l))
		for range l {
			msg = append(msg, 0xff)
		}
	}
	msg = append(msg, 0)
	var buf Name
	n, _, err := ReadName(msg, 0, &buf)
	if err != nil || n != 250*4+3 {
		t.Errorf("n = %d err = %v", n, err)
	}
}

func BenchmarkFirstQuestion(b *testing.B) {
	var buf Name
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := FirstQuestion(response, &buf); err != nil {
			b.Fatal(err)
		}
	}
}

func TestECHPublicNames(t *testing.T) {
	// HTTPS 1 . alpn=h2 ech=<one config, public name cloudflare-ech.com>
	cfg := []byte{0x01, 0x00, 0x20, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x00, 0x12}
	cfg = append(cfg, "cloudflare-ech.com"...)
	cfg = append(cfg, 0x00, 0x00)
	list := append([]byte{0xfe, 0x0d, 0x00, byte(len(cfg))}, cfg...)
	list = append([]byte{0x00, byte(len(list))}, list...)
	rdata := []byte{0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x03, 0x02, 'h', '2', 0x00, 0x05, 0x00, byte(len(list))}
	rdata = append(rdata, list...)
	var got []string
	ECHPublicNames(rdata, func(n []byte) { got = append(got, string(n)) })
	if len(got) != 1 || got[0] != "cloudflare-ech.com" {
		t.Errorf("public names %q", got)
	}
	ECHPublicNames(rdata[:len(rdata)-3], func(n []byte) { t.Errorf("truncated rdata gave %q", n) })
}
