package dns

import (
	"errors"
	"testing"
)

// A query for ChatGPT.com A IN, as dig sends it (0x20 mixed case).
var query = []byte{
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 'C', 'h', 'a', 't', 'G', 'P', 'T', 0x03, 'c', 'o', 'm', 0x00,
	0x00, 0x01, 0x00, 0x01,
}

func TestFirstQuestion(t *testing.T) {
	var buf [MaxName]byte
	h, q, err := FirstQuestion(query, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != 0x1234 || h.Response || string(q.Name) != "chatgpt.com" || q.Type != 1 {
		t.Errorf("got %+v %q type %d", h, q.Name, q.Type)
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
			var buf [MaxName]byte
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
	var buf [MaxName]byte
	if _, _, err := ReadName(msg, 0, &buf); !errors.Is(err, ErrTooLong) {
		t.Errorf("err = %v, want ErrTooLong", err)
	}
}

func FuzzFirstQuestion(f *testing.F) {
	f.Add(query)
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c})
	f.Fuzz(func(t *testing.T, msg []byte) {
		var buf [MaxName]byte
		_, q, err := FirstQuestion(msg, &buf)
		if err == nil && len(q.Name) > MaxName {
			t.Fatalf("name of %d bytes", len(q.Name))
		}
	})
}
