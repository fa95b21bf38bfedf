package spool

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// digestOf is the batch's Batch.digest: SHA-256 of its deterministic
// encoding with seq 0 and no digest, so it names the content under any
// number. A batch without sightings (one that only carries a dropped
// count) is not told apart by its content from another carrying the same
// count, so its first number goes in too.
func digestOf(b *pb.Batch, seq uint64) ([]byte, error) {
	c := &pb.Batch{Sightings: b.GetSightings(), DroppedSightings: b.GetDroppedSightings()}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("digesting batch %d: %w", seq, err)
	}
	if len(c.Sightings) == 0 {
		data = binary.BigEndian.AppendUint64(data, seq)
	}
	d := sha256.Sum256(data)
	return d[:], nil
}

// Renumber moves a pending batch to a fresh sequence number of at least
// atLeast, keeping its content and digest. The collector asks for it when
// it has committed the batch's number with other content: the agent's
// numbering went back, as when its state directory is restored from a
// backup. The numbering goes on from the new number, recorded on disk
// before it is used, so a restart does not reuse numbers again. The batch
// is written durably under its new number before the old file is removed;
// a crash in between leaves both, which the collector takes for one batch
// since they carry the same digest.
func (s *Spool) Renumber(seq, atLeast uint64) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.meta[seq]; !ok {
		return 0, fmt.Errorf("renumbering batch %d: %w", seq, ErrNotPending)
	}
	if atLeast > maxSeq {
		// Taking it would number every later batch beyond what the
		// collector stores, or wrap round to numbers already used.
		return 0, fmt.Errorf("renumbering batch %d: the collector asks for a number of at least %d, beyond the largest it can store (%d)", seq, atLeast, uint64(maxSeq))
	}
	data, err := os.ReadFile(s.path(seq))
	if err != nil {
		return 0, fmt.Errorf("renumbering batch %d: %w", seq, err)
	}
	b, err := decode(data)
	if err != nil {
		return 0, fmt.Errorf("renumbering batch %d: %w: %v", seq, ErrCorrupt, err)
	}
	if len(b.Digest) == 0 { // spooled by an agent that predates digests
		if b.Digest, err = digestOf(b, seq); err != nil {
			return 0, err
		}
	}
	s.raise(atLeast)
	to, err := s.reserve()
	if err != nil {
		return 0, err
	}
	return to, s.move(seq, to, b)
}

// raise moves the numbering on to at least n; the next reserve records it
// on disk before handing out a number. Called with mu held.
func (s *Spool) raise(n uint64) {
	if n > s.next {
		s.next = n
		s.reserved = min(s.reserved, n)
	}
}

// move writes b as batch to and then removes batch from. Called with mu
// held.
func (s *Spool) move(from, to uint64, b *pb.Batch) error {
	b.Seq = to
	data, m, err := encode(b)
	if err != nil {
		return err
	}
	if m.dropped > 0 && s.drops.CarriedBy < to {
		// Open must not take the moved batch for a new carrier of the
		// pending dropped count.
		s.drops.CarriedBy = to
		if err := s.saveDrops(); err != nil {
			return err
		}
	}
	if err := writeDurable(s.dir, filepath.Base(s.path(to)), data); err != nil {
		return fmt.Errorf("spooling batch %d as %d in %s: %w", from, to, s.dir, err)
	}
	if err := os.Remove(s.path(from)); err != nil {
		// Both stay: the collector dedupes the copies by digest.
		s.problems = append(s.problems, fmt.Sprintf("batch %d was renumbered %d but its old file could not be removed: %v", from, to, err))
	}
	s.forget(from)
	s.meta[to] = m
	s.bytes += m.size
	s.publish(to)
	return syncDir(s.dir)
}
