package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// checkpointFile holds the live agent's open aggregation windows and the
// batches committed with them.
const (
	checkpointFile = "open-windows"
	checkpointMark = "live"
	maxCheckpoint  = 1 << 20 // sequence numbers in one checkpoint
)

// ErrCommitted wraps an error Checkpoint met after its commit point: the
// batches and windows are recorded (a restart spools them) and must not be
// checkpointed again.
var ErrCommitted = errors.New("checkpoint committed")

// Checkpoint spools the batches of the windows that closed and records the
// windows still open, atomically: a kill -9 or power cut afterwards loses
// nothing that was observed before the call, and counts nothing twice.
// The commit point is the rename of the checkpoint file, which lists the
// staged batches it commits; Open commits those and discards any other.
// An error that does not wrap ErrCommitted means nothing was recorded: the
// caller still holds the batches and the windows.
func (s *Spool) Checkpoint(batches []*pb.Batch, open []*pb.Sighting) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var seqs []uint64
	for _, b := range batches {
		seq, err := s.write(b, checkpointMark)
		if err != nil {
			return errors.Join(err, s.unstage(seqs, checkpointMark))
		}
		seqs = append(seqs, seq)
	}
	if err := syncDir(s.dir); err != nil {
		return errors.Join(fmt.Errorf("syncing staged batches: %w", err), s.unstage(seqs, checkpointMark))
	}
	// Batches an earlier checkpoint could not move into the queue are
	// listed again, so a crash still commits them.
	seqs = slices.Concat(s.stuck, seqs)
	data, err := encodeCheckpoint(seqs, open)
	if err == nil {
		err = writeDurable(s.dir, checkpointFile, data)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("recording open windows: %w", err), s.unstage(seqs[len(s.stuck):], checkpointMark))
	}
	s.open = open
	if err := s.commitCheckpointed(seqs); err != nil {
		return fmt.Errorf("%w, but %w", ErrCommitted, err)
	}
	return nil
}

// commitCheckpointed moves checkpointed batches into the queue; one whose
// rename fails stays staged and is listed by the next checkpoint. Called
// with mu held.
func (s *Spool) commitCheckpointed(seqs []uint64) error {
	s.stuck = nil
	var errs []error
	for _, seq := range seqs {
		if err := os.Rename(filepath.Join(s.dir, stagedName(seq, checkpointMark)), s.path(seq)); err != nil {
			s.stuck = append(s.stuck, seq)
			errs = append(errs, fmt.Errorf("committing batch %d: %w", seq, err))
			continue
		}
		s.publish(seq)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return s.trim()
}

// OpenWindows is what the last checkpoint recorded as still being merged:
// after a crash, the sightings to carry on with.
func (s *Spool) OpenWindows() []*pb.Sighting {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.open)
}

// unstage removes staged batches that will not be committed; the dropped
// count one of them carried is pending again. Called with mu held.
func (s *Spool) unstage(seqs []uint64, mark string) error {
	var dropped uint64
	for _, seq := range seqs {
		dropped += s.meta[seq].dropped
		os.Remove(filepath.Join(s.dir, stagedName(seq, mark)))
		s.forget(seq)
	}
	if dropped == 0 {
		return nil
	}
	s.drops.Pending += dropped
	return s.saveDrops()
}

// encodeCheckpoint lays out: count of sequence numbers (8 bytes), the
// numbers (8 bytes each), then the open sightings as a framed batch.
func encodeCheckpoint(seqs []uint64, open []*pb.Sighting) ([]byte, error) {
	framed, _, err := encode(&pb.Batch{Sightings: open})
	if err != nil {
		return nil, err
	}
	out := binary.BigEndian.AppendUint64(nil, uint64(len(seqs)))
	for _, seq := range seqs {
		out = binary.BigEndian.AppendUint64(out, seq)
	}
	return append(out, framed...), nil
}

func decodeCheckpoint(data []byte) ([]uint64, []*pb.Sighting, error) {
	if len(data) < 8 {
		return nil, nil, errors.New("checkpoint cut short")
	}
	n := binary.BigEndian.Uint64(data)
	if n > maxCheckpoint || uint64(len(data)-8)/8 < n {
		return nil, nil, errors.New("checkpoint lists more batches than it holds")
	}
	seqs := make([]uint64, n)
	for i := range seqs {
		seqs[i] = binary.BigEndian.Uint64(data[8+8*i:])
	}
	b, err := decode(data[8+8*n:])
	if err != nil {
		return nil, nil, err
	}
	return seqs, b.GetSightings(), nil
}

// loadCheckpoint reads the checkpoint: the staged batches it committed and
// the windows it left open. A damaged checkpoint is set aside and
// reported; its staged batches are then discarded like any uncommitted
// ones, which loses at most one flush interval of observations.
func (s *Spool) loadCheckpoint() map[uint64]bool {
	path := filepath.Join(s.dir, checkpointFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var seqs []uint64
	if err == nil {
		seqs, s.open, err = decodeCheckpoint(data)
	}
	if err != nil {
		os.Rename(path, path+badExt)
		s.problems = append(s.problems, fmt.Sprintf("the record of open aggregation windows %s is damaged (%v): kept as %s, those windows are lost", path, err, path+badExt))
		return nil
	}
	committed := map[uint64]bool{}
	for _, seq := range seqs {
		committed[seq] = true
	}
	return committed
}
