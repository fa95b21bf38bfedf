package spool

import (
	"bytes"
	"crypto/sha256"
	"math"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// TestDigestOnEveryAppendPath: Append, AppendGroup and Checkpoint give a
// batch the digest of its content without seq, which Read returns.
func TestDigestOnEveryAppendPath(t *testing.T) {
	s := mustOpen(t, t.TempDir(), 0)
	if _, err := s.Append(batchOf(2, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendGroup([]*pb.Batch{batchOf(3, 1)}, "capture"); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint([]*pb.Batch{batchOf(4, 1)}, nil); err != nil {
		t.Fatal(err)
	}
	for i, seq := range s.Pending() {
		b, err := s.Read(seq)
		if err != nil {
			t.Fatal(err)
		}
		want := batchOf(i+2, 1)
		data, _ := proto.MarshalOptions{Deterministic: true}.Marshal(want)
		if d := sha256.Sum256(data); !bytes.Equal(b.GetDigest(), d[:]) {
			t.Errorf("batch %d: digest %x, want SHA-256 of the content without seq %x", seq, b.GetDigest(), d)
		}
	}
}

// TestEmptyCarriersDiffer: two batches that only carry the same dropped
// count are different batches; their digests say so.
func TestEmptyCarriersDiffer(t *testing.T) {
	a, _ := digestOf(&pb.Batch{DroppedSightings: 3}, 1)
	b, _ := digestOf(&pb.Batch{DroppedSightings: 3}, 2)
	if bytes.Equal(a, b) {
		t.Error("two carriers of 3 dropped sightings have one digest: the collector would count one")
	}
}

// TestRenumber: a renumbered batch keeps its content and digest under a
// number of at least the one asked for; the numbering goes on from there,
// also after a restart.
func TestRenumber(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	seq, _ := s.Append(batchOf(2, 5))
	other, _ := s.Append(batchOf(1, 1))
	before, err := s.Read(seq)
	if err != nil {
		t.Fatal(err)
	}
	to, err := s.Renumber(seq, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if to < 5000 {
		t.Errorf("renumbered to %d, want at least 5000", to)
	}
	if _, err := s.Renumber(seq, 5000); err == nil {
		t.Error("renumbering the old number again: no error")
	}
	s = reopen(t, s, dir, 0)
	if diff := cmp.Diff([]uint64{other, to}, s.Pending()); diff != "" {
		t.Errorf("pending after reopen (-want +got):\n%s", diff)
	}
	after, err := s.Read(to)
	if err != nil {
		t.Fatal(err)
	}
	before.Seq = to
	if diff := cmp.Diff(before, after, protocmp.Transform()); diff != "" {
		t.Errorf("renumbered batch (-before +after):\n%s", diff)
	}
	if next, _ := s.Append(&pb.Batch{}); next <= to {
		t.Errorf("after a restart the next number is %d, want above %d: numbers would be reused", next, to)
	}
	if st := s.Stats(); st.Batches != 3 || st.Sightings != 3 {
		t.Errorf("stats %+v, want 3 batches holding 3 sightings", st)
	}
}

// TestRenumberCrash: a crash after the batch is written under its new
// number and before the old file is removed leaves both; both are sent,
// with one digest, so the collector stores one.
func TestRenumberCrash(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	seq, _ := s.Append(batchOf(2, 5))
	old, err := os.ReadFile(s.path(seq))
	if err != nil {
		t.Fatal(err)
	}
	to, err := s.Renumber(seq, 100)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(s.path(seq), old, 0o600); err != nil { // the removal never happened
		t.Fatal(err)
	}
	s = mustOpen(t, dir, 0)
	if diff := cmp.Diff([]uint64{seq, to}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	a, errA := s.Read(seq)
	b, errB := s.Read(to)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if len(a.GetDigest()) == 0 || !bytes.Equal(a.GetDigest(), b.GetDigest()) {
		t.Errorf("digests %x and %x: want one, so the collector dedupes the copies", a.GetDigest(), b.GetDigest())
	}
	if p := s.Problems(); len(p) != 0 {
		t.Errorf("problems %q", p)
	}
}

// TestRenumberCarrier: moving a batch that carries a dropped count does
// not make Open take it for a new carrier and forget a later count.
func TestRenumberCarrier(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	s.drops.Pending = 4 // as after a drop
	seq, _ := s.Append(batchOf(1, 1))
	s.drops.Pending = 2 // dropped again since
	if err := s.saveDrops(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Renumber(seq, 50); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, dir, 0)
	reported := toReport(t, s)
	if reported != 6 {
		t.Errorf("after reopen %d dropped sightings are to be reported, want 4 carried by the moved batch and 2 pending", reported)
	}
}

// TestRenumberRefusesNumbersBeyondInt64: the collector stores seq as a
// signed 64-bit number and refuses a batch above it. A next_seq beyond
// that (a broken or hostile collector) is refused: the batch keeps its
// number and the numbering neither jumps there nor wraps round to
// numbers already used, also after a restart.
func TestRenumberRefusesNumbersBeyondInt64(t *testing.T) {
	for _, atLeast := range []uint64{1 << 63, math.MaxUint64 - 10, math.MaxUint64} {
		dir := t.TempDir()
		s := mustOpen(t, dir, 0)
		seq, _ := s.Append(batchOf(1, 1))
		if to, err := s.Renumber(seq, atLeast); err == nil {
			t.Errorf("Renumber(%d, %d) = %d, want an error", seq, atLeast, to)
		}
		if diff := cmp.Diff([]uint64{seq}, s.Pending()); diff != "" {
			t.Errorf("next_seq %d: pending (-want +got):\n%s", atLeast, diff)
		}
		next, err := s.Append(batchOf(1, 1))
		if err != nil || next != seq+1 {
			t.Errorf("next_seq %d: the next batch is %d (%v), want %d", atLeast, next, err, seq+1)
		}
		s = reopen(t, s, dir, 0)
		if next, _ := s.Append(batchOf(1, 1)); next > math.MaxInt64 || next <= seq+1 {
			t.Errorf("next_seq %d: after a restart the next batch is %d", atLeast, next)
		}
	}
}

// TestCarrierDigestsUnique: after a restored state dir, a batch that only
// carries a dropped count may repeat the number and count of one the
// collector committed; its digest must still differ, or the collector
// takes it for a re-send and the count is lost. Batches with sightings
// keep content digests, so the same content is still recognised.
func TestCarrierDigestsUnique(t *testing.T) {
	carrier := func() *pb.Batch { return &pb.Batch{Seq: 7, DroppedSightings: 42} }
	a, b := carrier(), carrier()
	seal(a)
	seal(b)
	if len(a.GetDigest()) != sha256.Size || bytes.Equal(a.GetDigest(), b.GetDigest()) {
		t.Errorf("two carriers of 42 dropped as batch 7: digests %x and %x, want distinct SHA-256s", a.GetDigest(), b.GetDigest())
	}
	c, d := batchOf(3, 1), batchOf(3, 1)
	c.Seq, d.Seq = 7, 9
	seal(c)
	seal(d)
	if !bytes.Equal(c.GetDigest(), d.GetDigest()) {
		t.Errorf("one content under two numbers: digests %x and %x, want equal", c.GetDigest(), d.GetDigest())
	}
}
