package token

import (
	"bytes"
	"errors"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	tok, err := New([32]byte{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(tok.String())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Secret, tok.Secret) || got.CAFingerprint != tok.CAFingerprint {
		t.Errorf("round trip changed the token")
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "SAI1", "SAI2.a.b", "SAI1.!!.AA", "SAI1.AAAA.AAAA", "hello world"} {
		if _, err := Parse(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) err = %v, want ErrMalformed", s, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	tok, _ := New([32]byte{9})
	f.Add(tok.String())
	f.Fuzz(func(t *testing.T, s string) {
		if tk, err := Parse(s); err == nil && len(tk.Secret) != secretLen {
			t.Fatal("accepted a token with the wrong secret length")
		}
	})
}
