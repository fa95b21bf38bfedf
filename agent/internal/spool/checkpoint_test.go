package spool

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

func TestCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	open := batchOf(2, 5).Sightings
	if err := s.Checkpoint([]*pb.Batch{batchOf(3, 1)}, open); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, dir, 0)
	if diff := cmp.Diff(open, s.OpenWindows(), protocmp.Transform()); diff != "" {
		t.Errorf("open windows after reopen (-want +got):\n%s", diff)
	}
	if s.Len() != 1 {
		t.Errorf("%d batches pending, want the one checkpointed", s.Len())
	}
	// The windows are carried on: a checkpoint with none left clears them.
	if err := s.Checkpoint([]*pb.Batch{{Sightings: open}}, nil); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, dir, 0)
	if len(s.OpenWindows()) != 0 || s.Len() != 2 {
		t.Errorf("open %d, pending %d: want 0 and 2", len(s.OpenWindows()), s.Len())
	}
}

// TestCheckpointCrash: staged batches listed in the checkpoint (the crash
// came after the commit point) are committed; others are discarded.
func TestCheckpointCrash(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	data, _, _ := encode(batchOf(1, 1))
	os.WriteFile(filepath.Join(dir, stagedName(100, checkpointMark)), data, 0o600)
	os.WriteFile(filepath.Join(dir, stagedName(101, checkpointMark)), data, 0o600)
	cp, _ := encodeCheckpoint([]uint64{100}, batchOf(1, 7).Sightings)
	os.WriteFile(filepath.Join(dir, checkpointFile), cp, 0o600)
	s = reopen(t, s, dir, 0)
	if diff := cmp.Diff([]uint64{100}, s.Pending()); diff != "" {
		t.Errorf("pending (-want +got): %s", diff)
	}
	if w := s.OpenWindows(); len(w) != 1 || w[0].GetCount() != 7 {
		t.Errorf("open windows = %v", w)
	}
}

func TestCheckpointDamaged(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	s.Checkpoint(nil, batchOf(1, 1).Sightings)
	path := filepath.Join(dir, checkpointFile)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-2], 0o600)
	s = reopen(t, s, dir, 0)
	if len(s.OpenWindows()) != 0 {
		t.Error("damaged checkpoint was used")
	}
	if p := s.Problems(); len(p) != 1 || !strings.Contains(p[0], "open aggregation windows") || !strings.Contains(p[0], "kept as") {
		t.Errorf("problems = %q", p)
	}
	if _, err := os.Stat(path + badExt); err != nil {
		t.Errorf("damaged checkpoint not kept: %v", err)
	}
}

func FuzzDecodeCheckpoint(f *testing.F) {
	good, _ := encodeCheckpoint([]uint64{3, 4}, batchOf(2, 1).Sightings)
	f.Add(good)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeCheckpoint(data)
	})
}

// TestCheckpointCommitFails: a batch that cannot be moved into the queue
// after the commit point is reported as committed (the caller must not
// spool it again) and listed by the next checkpoint, so a crash later
// still commits it instead of discarding it.
func TestCheckpointCommitFails(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, 0)
	blocker := s.path(1) // the first batch's name, taken by a directory
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := s.Checkpoint([]*pb.Batch{batchOf(1, 1)}, nil)
	if !errors.Is(err, ErrCommitted) {
		t.Fatalf("err = %v, want one wrapping ErrCommitted", err)
	}
	if err := s.Checkpoint([]*pb.Batch{batchOf(1, 2)}, nil); !errors.Is(err, ErrCommitted) {
		t.Fatalf("second checkpoint: err = %v, want one wrapping ErrCommitted", err)
	}
	os.RemoveAll(blocker)
	s = reopen(t, s, dir, 0) // a crash before any other checkpoint
	if got := s.Stats().Observations; got != 3 {
		t.Errorf("%d observations pending after the crash, want 3", got)
	}
}
