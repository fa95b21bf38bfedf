package spool

import (
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

func TestAppendReadAck(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		seq, err := s.Append(&pb.Batch{Sightings: []*pb.Sighting{{Count: uint64(i + 1), Source: "dns"}}})
		if err != nil {
			t.Fatal(err)
		}
		if seq != uint64(i+1) {
			t.Fatalf("seq = %d, want %d", seq, i+1)
		}
	}
	if err := s.Ack(2); err != nil {
		t.Fatal(err)
	}
	// Reopen: the pending batches survive, numbering continues.
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 3}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	b, err := s.Read(3)
	if err != nil || b.GetSightings()[0].GetCount() != 3 {
		t.Fatalf("Read(3) = %v, %v", b, err)
	}
	s.Ack(1)
	s.Ack(3)
	s, _ = Open(dir)
	if seq, _ := s.Append(&pb.Batch{}); seq != 4 {
		t.Errorf("after all acked and reopened, seq = %d, want 4 (never reuse)", seq)
	}
}

func TestTornWriteDetected(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	seq, _ := s.Append(&pb.Batch{Sightings: []*pb.Sighting{{Count: 1, Source: "tls", Domain: "chatgpt.com"}}})
	data, _ := os.ReadFile(s.path(seq))
	os.WriteFile(s.path(seq), data[:len(data)-3], 0o600)
	if _, err := s.Read(seq); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read of torn batch: err = %v, want ErrCorrupt", err)
	}
	if s.Len() != 0 {
		t.Errorf("damaged batch still pending")
	}
	if _, err := os.Stat(dir + "/00000000000000000001.bad"); err != nil {
		t.Errorf("damaged batch not kept aside: %v", err)
	}
}

func FuzzUnframe(f *testing.F) {
	f.Add(frame([]byte{0x08, 0x01}))
	f.Add([]byte("SAIB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		unframe(data)
	})
}
