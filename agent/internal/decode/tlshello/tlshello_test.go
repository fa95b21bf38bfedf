package tlshello

import (
	"errors"
	"testing"

	"github.com/shadowai/shadowai/agent/internal/decode/tlshello/hellotest"
)

// clientHello records the first flight Go's own TLS client sends.
func clientHello(t testing.TB, sni string, alpn []string) []byte {
	t.Helper()
	rec, err := hellotest.Record(sni, alpn)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestParseRecord(t *testing.T) {
	rec := clientHello(t, "api.openai.com", []string{"h2", "http/1.1"})
	h, err := ParseRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if string(h.SNI) != "api.openai.com" || string(h.ALPN) != "h2" || h.ECH {
		t.Errorf("got SNI %q ALPN %q ECH %v", h.SNI, h.ALPN, h.ECH)
	}
	if _, err := ParseRecord(rec[:len(rec)-1]); !errors.Is(err, ErrIncomplete) {
		t.Errorf("truncated record: err = %v, want ErrIncomplete", err)
	}
	if _, err := ParseRecord([]byte("GET / HTTP/1.1\r\n")); !errors.Is(err, ErrNotHello) {
		t.Errorf("HTTP: err = %v, want ErrNotHello", err)
	}
}

func BenchmarkParseRecord(b *testing.B) {
	rec := clientHello(b, "api.openai.com", []string{"h2"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseRecord(f *testing.F) {
	f.Add(clientHello(f, "chatgpt.com", []string{"h2"}))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseRecord(b)
		if err == nil && len(h.SNI) > len(b) {
			t.Fatal("SNI longer than input")
		}
		scratch := make([]byte, 0, 64)
		if h2, err2 := ParseStream(b, &scratch); err == nil && (err2 != nil || string(h2.SNI) != string(h.SNI)) {
			t.Fatalf("ParseStream disagrees with ParseRecord: %q %v vs %q", h2.SNI, err2, h.SNI)
		}
		if p := ParsePartial(b); err == nil && string(p.SNI) != string(h.SNI) {
			t.Fatalf("ParsePartial found %q, ParseRecord %q", p.SNI, h.SNI)
		}
	})
}
