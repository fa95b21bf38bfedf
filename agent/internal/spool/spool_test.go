package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

func batchOf(n int, count uint64) *pb.Batch {
	b := &pb.Batch{}
	for i := range n {
		b.Sightings = append(b.Sightings, &pb.Sighting{Count: count, Source: "dns", Domain: fmt.Sprintf("host%d.openai.com", i), Service: "openai-chatgpt"})
	}
	return b
}

func mustOpen(t testing.TB, dir string, max int64) *Spool {
	t.Helper()
	s, err := Open(dir, max)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes s, as a stopping agent does, and opens its directory again.
func reopen(t testing.TB, s *Spool, dir string, max int64) *Spool {
	t.Helper()
	s.Close()
	return mustOpen(t, dir, max)
}

func TestLockedByAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	mustOpen(t, dir, 0)
	_, err := Open(dir, 0)
	if err == nil || !strings.Contains(err.Error(), "in use by another agent process (pid ") {
		t.Errorf("second Open: %v, want a refusal naming the pid", err)
	}
}

func TestAppendReadAck(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	for i := range 3 {
		seq, err := s.Append(batchOf(1, uint64(i+1)))
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
	s = reopen(t, s, dir, 0) // the pending batches survive, numbering continues
	if diff := cmp.Diff([]uint64{1, 3}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	if st := s.Stats(); st.Sightings != 2 || st.Observations != 4 || st.Batches != 2 {
		t.Errorf("stats after reopen = %+v, want 2 batches, 2 sightings, 4 observations", st)
	}
	b, err := s.Read(3)
	if err != nil || b.GetSightings()[0].GetCount() != 3 || b.GetSeq() != 3 {
		t.Fatalf("Read(3) = %v, %v", b, err)
	}
	s.Ack(1)
	s.Ack(3)
	s = reopen(t, s, dir, 0)
	if seq, _ := s.Append(&pb.Batch{}); seq <= 3 {
		t.Errorf("after all acked and reopened, seq = %d, want > 3 (never reuse)", seq)
	}
	if st := s.Stats(); st.Bytes <= 0 || st.Batches != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestTornWriteDetected(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	seq, _ := s.Append(batchOf(1, 1))
	data, _ := os.ReadFile(s.path(seq))
	os.WriteFile(s.path(seq), data[:len(data)-3], 0o600)
	if _, err := s.Read(seq); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read of torn batch: err = %v, want ErrCorrupt", err)
	}
	if s.Len() != 0 {
		t.Errorf("damaged batch still pending")
	}
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000001.bad")); err != nil {
		t.Errorf("damaged batch not kept aside: %v", err)
	}
}

// TestOpenSetsAside checks what Open does with files it cannot use: a
// flipped bit, a newer format, an interrupted write.
func TestOpenSetsAside(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	for range 3 {
		s.Append(batchOf(2, 1))
	}
	flip, _ := os.ReadFile(s.path(1))
	flip[len(flip)-1] ^= 0x40
	os.WriteFile(s.path(1), flip, 0o600)
	newer, _ := os.ReadFile(s.path(2))
	newer[4] = 9
	os.WriteFile(s.path(2), newer, 0o600)
	os.WriteFile(filepath.Join(dir, tmpPrefix+"00000000000000000004.batch-123"), []byte("SAIB"), 0o600)

	s = reopen(t, s, dir, 0)
	if diff := cmp.Diff([]uint64{1, 3}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff) // the flipped bit is only found when read
	}
	if _, err := s.Read(1); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Read of flipped batch: %v", err)
	}
	probs := s.Problems()
	if len(probs) != 2 || !strings.Contains(probs[0], "written by a newer agent (format 9") || !strings.Contains(probs[0], "left in place") {
		t.Errorf("problems = %q", probs)
	}
	if _, err := os.Stat(s.path(2)); err != nil {
		t.Errorf("newer-format batch was not left in place: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, tmpPrefix+"00000000000000000004.batch-123")); !os.IsNotExist(err) {
		t.Errorf("interrupted write not cleaned up")
	}
}

// TestFullDropsOldestAndCounts fills a bounded spool: the oldest batches go,
// and the next batch carries exactly the sightings they held.
func TestFullDropsOldestAndCounts(t *testing.T) {
	dir := t.TempDir()
	one, _, _ := seal(batchOf(10, 1))           // as spooled, digest included
	s := mustOpen(t, dir, int64(len(one))*4+40) // room for four batches
	var made uint64
	for range 10 {
		s.Append(batchOf(10, 1))
		made += 10
	}
	st := s.Stats()
	if st.Batches != 4 || st.DroppedSightings != 60 {
		t.Fatalf("after 10 batches in a 4-batch spool: %+v, want 4 batches and 60 dropped", st)
	}
	if diff := cmp.Diff([]uint64{7, 8, 9, 10}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got): %s", diff)
	}
	// Each drop rode on the batch that caused it; drops of batches that
	// themselves carried a count are carried again. Sum of carried counts
	// over what is left, plus what is left, is everything made.
	s = reopen(t, s, dir, int64(len(one))*4+40)
	var carried, kept uint64
	for _, seq := range s.Pending() {
		b, err := s.Read(seq)
		if err != nil {
			t.Fatal(err)
		}
		carried += b.GetDroppedSightings()
		kept += uint64(len(b.GetSightings()))
	}
	if carried+kept != made {
		t.Errorf("carried %d + kept %d = %d, want %d made", carried, kept, carried+kept, made)
	}
}

func TestSendingNotDropped(t *testing.T) {
	one, _, _ := seal(batchOf(10, 1)) // as spooled, digest included
	s := mustOpen(t, t.TempDir(), int64(len(one))*2+10)
	s.Append(batchOf(10, 1))
	s.Append(batchOf(10, 1))
	s.Read(1) // in flight
	s.Append(batchOf(10, 1))
	if diff := cmp.Diff([]uint64{1, 3}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got): %s", diff)
	}
	s.Release(1)
	s.Append(batchOf(10, 1))
	if diff := cmp.Diff([]uint64{3, 4}, s.Pending()); diff != "" {
		t.Errorf("after release, pending (-want +got): %s", diff)
	}
}

// TestCrashDuringDrop: the journal names victims still on disk (the crash
// came between journal and deletion); Open finishes the deletion without
// counting them twice.
func TestCrashDuringDrop(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	s.Append(batchOf(3, 1))
	s.Append(batchOf(3, 1))
	s.drops = dropState{Pending: 3, Total: 3, Victims: []uint64{1}}
	s.saveDrops()
	s = reopen(t, s, dir, 0)
	pend := s.Pending()
	if len(pend) != 2 || pend[0] != 2 {
		t.Fatalf("pending = %v, want batch 2 and a batch carrying the drop", pend)
	}
	// Open does not wait for the next batch to report the drop.
	b, _ := s.Read(pend[1])
	if b.GetDroppedSightings() != 3 || len(b.GetSightings()) != 0 {
		t.Errorf("carrier batch = %v, want no sightings and 3 dropped", b)
	}
	seq, _ := s.Append(batchOf(1, 1))
	if b, _ := s.Read(seq); b.GetDroppedSightings() != 0 {
		t.Errorf("the drop was carried twice")
	}
}

// TestCrashAfterCarry: a batch carrying the dropped count was written but
// the journal not yet updated; Open sees it and does not carry it again.
func TestCrashAfterCarry(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	b := batchOf(1, 1)
	b.DroppedSightings = 5
	s.Append(b) // sets DroppedSightings from the journal (0): rewrite by hand
	data, _, _ := encode(&pb.Batch{Seq: 1, Sightings: b.Sightings, DroppedSightings: 5})
	os.WriteFile(s.path(1), data, 0o600)
	s.drops = dropState{Pending: 5, Total: 5}
	s.saveDrops()
	s = reopen(t, s, dir, 0)
	if st := s.Stats(); st.PendingDropped != 0 || st.DroppedSightings != 5 {
		t.Errorf("stats = %+v, want nothing pending and 5 dropped in total", st)
	}
}

func TestGroup(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	if err := s.AppendGroup([]*pb.Batch{batchOf(1, 1), batchOf(1, 2)}, "abc123"); err != nil {
		t.Fatal(err)
	}
	if !s.Marked("abc123") || s.Len() != 2 {
		t.Fatalf("group not committed: marked %v, %d pending", s.Marked("abc123"), s.Len())
	}
	// A crash while staging: staged files without their mark are undone,
	// staged files whose mark was recorded are committed.
	os.WriteFile(filepath.Join(dir, stagedName(50, "nomark")), []byte("SAIB"), 0o600)
	data, _, _ := encode(batchOf(1, 1))
	os.WriteFile(filepath.Join(dir, stagedName(51, "abc123")), data, 0o600)
	s = reopen(t, s, dir, 0)
	if diff := cmp.Diff([]uint64{1, 2, 51}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got): %s", diff)
	}
	if s.Marked("nomark") {
		t.Error("unrecorded mark reported")
	}
	if _, err := os.Stat(filepath.Join(dir, stagedName(50, "nomark"))); !os.IsNotExist(err) {
		t.Error("uncommitted staged batch left behind")
	}
	if err := s.AppendGroup(nil, "../x"); err == nil {
		t.Error("a mark with a path in it was accepted")
	}
}

func FuzzDecode(f *testing.F) {
	good, _, _ := encode(batchOf(2, 3))
	f.Add(good)
	v1 := append([]byte("SAIB\x01\x00\x00\x00\x00\x00\x00\x00\x00"), []byte{}...)
	f.Add(v1)
	f.Add([]byte("SAIB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := decode(data)
		if err == nil && b == nil {
			t.Fatal("nil batch without error")
		}
		readHeader(data, int64(len(data)))
	})
}

// BenchmarkAppendAck measures the durable write and the acknowledgement
// (delete) of one batch of 100 sightings, fsyncs included.
func BenchmarkAppendAck(b *testing.B) {
	s := mustOpen(b, b.TempDir(), 0)
	batch := batchOf(100, 3)
	data, _, _ := encode(batch)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		seq, err := s.Append(batch)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Ack(seq); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend1000 is the spool's write path for a full batch (1000
// sightings, the default batch_size), and BenchmarkAckOnly its delete.
// BenchmarkFsyncFloor writes the same bytes with a bare create, write,
// fsync, rename and directory fsync: the floor any durable spool pays on
// this disk, to read the spool's cost against.
func BenchmarkAppend1000(b *testing.B) {
	s := mustOpen(b, b.TempDir(), 1<<40)
	batch := batchOf(1000, 3)
	data, _, _ := encode(batch)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := s.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAckOnly(b *testing.B) {
	s := mustOpen(b, b.TempDir(), 1<<40)
	batch := batchOf(1000, 3)
	var seqs []uint64
	for range b.N {
		seq, _ := s.Append(batch)
		seqs = append(seqs, seq)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := s.Ack(seqs[i]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFsyncFloor(b *testing.B) {
	dir := b.TempDir()
	data, _, _ := encode(batchOf(1000, 3))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	i := 0
	for b.Loop() {
		i++
		if err := writeDurable(dir, fmt.Sprint(i), data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFailedGroupKeepsDropCount: a group whose first staged batch carried
// the count of batches dropped to make room, and which then fails, still
// reports that count with a later batch.
func TestFailedGroupKeepsDropCount(t *testing.T) {
	dir := t.TempDir()
	one, _, _ := seal(batchOf(10, 1)) // as spooled, digest included
	s := mustOpen(t, dir, int64(len(one))*2+10)
	s.Append(batchOf(10, 1))
	s.Append(batchOf(10, 1))
	bad := batchOf(1, 1)
	bad.Sightings[0].Domain = "\xff" // protobuf refuses to encode it
	if err := s.AppendGroup([]*pb.Batch{batchOf(10, 1), bad}, "capture"); err == nil {
		t.Fatal("a group with an unencodable batch was spooled")
	}
	if st := s.Stats(); st.DroppedSightings != 10 || st.PendingDropped != 10 {
		t.Errorf("stats = %+v, want 10 dropped, all still to be reported", st)
	}
	s = reopen(t, s, dir, int64(len(one))*2+10)
	reported := toReport(t, s)
	if reported != 10 {
		t.Errorf("after reopen %d dropped sightings are to be reported, want 10", reported)
	}
}

// TestReadDropped: a batch dropped to make room after the sender listed
// it is reported as no longer pending, for the sender to skip.
func TestReadDropped(t *testing.T) {
	one, _, _ := seal(batchOf(10, 1)) // as spooled, digest included
	s := mustOpen(t, t.TempDir(), int64(len(one))*2+10)
	s.Append(batchOf(10, 1))
	s.Append(batchOf(10, 1))
	listed := s.Pending()
	s.Append(batchOf(10, 1)) // drops batch 1
	if _, err := s.Read(listed[0]); !errors.Is(err, ErrNotPending) {
		t.Errorf("reading a dropped batch: err = %v, want ErrNotPending", err)
	}
	if _, err := s.Read(listed[1]); err != nil {
		t.Errorf("reading a pending batch: %v", err)
	}
}

// TestLostSequenceNeverGoesBack: the collector takes a batch number it
// has seen for a re-send and drops the batch. When the record of numbers
// handed out is damaged or lost after batches were acknowledged, the next
// numbers must still be new.
func TestLostSequenceNeverGoesBack(t *testing.T) {
	for _, damage := range []string{"garbage", "lost"} {
		t.Run(damage, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, 0)
			seq, _ := s.Append(batchOf(1, 1))
			s.Ack(seq)
			path := filepath.Join(dir, seqFile)
			if damage == "lost" {
				os.Remove(path)
			} else {
				os.WriteFile(path, []byte("x\n"), 0o600)
			}
			s = reopen(t, s, dir, 0)
			if next, _ := s.Append(batchOf(1, 1)); next <= seq+seqBlock {
				t.Errorf("batch numbered %d after %d was handed out (block %d): the collector would drop it", next, seq, seqBlock)
			}
			if p := s.Problems(); len(p) != 1 || !strings.Contains(p[0], seqFile) {
				t.Errorf("problems = %q", p)
			}
		})
	}
}

// toReport is the number of dropped sightings the spool still has to
// report: pending, plus those carried by spooled batches.
func toReport(t *testing.T, s *Spool) uint64 {
	t.Helper()
	n := s.Stats().PendingDropped
	for _, seq := range s.Pending() {
		b, err := s.Read(seq)
		if err != nil {
			t.Fatal(err)
		}
		n += b.GetDroppedSightings()
	}
	return n
}
