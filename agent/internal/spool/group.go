package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// AppendGroup writes batches and records mark, atomically as far as a
// crash can tell: after a restart either every batch is pending and
// Marked(mark) is true, or none is and it is false. While the group is
// staged the spool may exceed its bound by the group's size; the oldest
// batches are dropped when it commits. `run --pcap` uses the
// capture's digest as the mark, so a crash while spooling a capture makes
// the next run read it again instead of sending half of it twice.
func (s *Spool) AppendGroup(batches []*pb.Batch, mark string) error {
	if mark == "" || mark == checkpointMark || strings.ContainsAny(mark, `./\`) {
		return fmt.Errorf("spool mark %q must be a plain name", mark)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var seqs []uint64
	fail := func(err error) error {
		return errors.Join(err, s.unstage(seqs, mark))
	}
	for _, b := range batches {
		seq, err := s.write(b, mark)
		if err != nil {
			return fail(err)
		}
		seqs = append(seqs, seq)
	}
	if err := syncDir(s.dir); err != nil {
		return fail(fmt.Errorf("syncing staged batches: %w", err))
	}
	if err := writeDurable(filepath.Join(s.dir, marksDir), mark, []byte(fmt.Sprintln(len(seqs)))); err != nil {
		return fail(fmt.Errorf("recording spool mark %s: %w", mark, err))
	}
	for _, seq := range seqs {
		if err := os.Rename(filepath.Join(s.dir, stagedName(seq, mark)), s.path(seq)); err != nil {
			return fmt.Errorf("committing staged batch %d: %w", seq, err)
		}
		s.publish(seq)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	// Staged batches are never dropped (a crash would then count as
	// dropped what the next run reads again); the bound is restored once
	// the group is committed.
	return s.trim()
}

// Marked reports whether AppendGroup recorded mark.
func (s *Spool) Marked(mark string) bool {
	_, err := os.Stat(filepath.Join(s.dir, marksDir, mark))
	return err == nil
}

func stagedName(seq uint64, mark string) string {
	return fmt.Sprintf("%020d.%s%s", seq, mark, stagedExt)
}

// recover finishes or undoes groups a crash interrupted: staged batches of
// a recorded mark are committed, the others removed (their source is read
// again, since its mark is missing).
func (s *Spool) recover() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("reading spool %s: %w", s.dir, err)
	}
	checkpointed := s.loadCheckpoint()
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), stagedExt)
		if !ok {
			continue
		}
		num, mark, _ := strings.Cut(base, ".")
		seq, ok := parseName(num+batchExt, batchExt)
		path := filepath.Join(s.dir, e.Name())
		if ok && (checkpointed[seq] && mark == checkpointMark || mark != checkpointMark && s.Marked(mark)) {
			if err := os.Rename(path, s.path(seq)); err != nil {
				return fmt.Errorf("committing staged batch %s: %w", path, err)
			}
			continue
		}
		if m, err := readHeaderFile(path); err == nil && m.dropped > 0 && s.drops.CarriedBy >= seq {
			s.drops.Pending += m.dropped // its dropped count was never sent
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing uncommitted staged batch %s: %w", path, err)
		}
	}
	return syncDir(s.dir)
}
