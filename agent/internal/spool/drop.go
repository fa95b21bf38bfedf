package spool

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// dropFile journals what a full spool dropped.
const dropFile = "dropped.json"

// dropState is the journal of dropped batches. It is written before the
// dropped files are deleted, so a crash in between finishes the deletion
// on the next Open instead of counting or losing anything.
type dropState struct {
	// Pending dropped sightings not yet carried by a batch.
	Pending uint64 `json:"pending"`
	// Total dropped sightings since the spool was created.
	Total uint64 `json:"total"`
	// Victims of the latest drop, deleted after the journal is written.
	Victims []uint64 `json:"victims,omitempty"`
	// CarriedBy is the last batch that carried a dropped count.
	CarriedBy uint64 `json:"carried_by"`
}

func loadDrops(dir string) (dropState, error) {
	var d dropState
	b, err := os.ReadFile(filepath.Join(dir, dropFile))
	if errors.Is(err, os.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("reading the spool's drop journal: %w", err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("the spool's drop journal %s is damaged (%v): move it aside to start counting drops afresh", filepath.Join(dir, dropFile), err)
	}
	return d, nil
}

func (s *Spool) saveDrops() error {
	b, _ := json.Marshal(s.drops)
	if err := writeDurable(s.dir, dropFile, b); err != nil {
		return fmt.Errorf("journalling dropped batches: %w", err)
	}
	return nil
}

// makeRoom drops the oldest batches not being sent until size more bytes
// fit. A batch larger than the whole bound is still written: the bound is
// kept to within one batch. Called with mu held.
func (s *Spool) makeRoom(size int64) error {
	var victims []uint64
	free := s.maxBytes - s.bytes
	for _, seq := range s.pend {
		if free >= size && free >= 0 {
			break
		}
		if s.sending[seq] {
			continue
		}
		m := s.meta[seq]
		victims = append(victims, seq)
		free += m.size
		s.drops.Pending += m.sightings + m.dropped
		s.drops.Total += m.sightings
	}
	if len(victims) == 0 {
		return nil
	}
	s.drops.Victims = victims
	if err := s.saveDrops(); err != nil {
		return err
	}
	for _, seq := range victims {
		if err := os.Remove(s.path(seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dropping spooled batch %d: %w", seq, err)
		}
		s.forget(seq)
	}
	return nil
}

// carried records that batch seq carries the pending dropped count.
// Called with mu held.
func (s *Spool) carried(seq uint64) error {
	s.drops.Pending = 0
	s.drops.CarriedBy = seq
	s.drops.Victims = nil
	return s.saveDrops()
}

// settleDrops finishes what a crash interrupted: deletes journalled
// victims still on disk, and notices a batch that carried the pending
// count although the journal was not updated after it.
func (s *Spool) settleDrops() error {
	for _, seq := range s.drops.Victims {
		if _, ok := s.meta[seq]; ok {
			os.Remove(s.path(seq))
			s.forget(seq)
		}
	}
	for _, seq := range s.pend {
		if m := s.meta[seq]; seq > s.drops.CarriedBy && m.dropped > 0 {
			s.drops.Pending -= min(s.drops.Pending, m.dropped)
			s.drops.CarriedBy = seq
		}
	}
	s.drops.Victims = nil
	return s.saveDrops()
}

// trim restores the bound after a group commit or a smaller configured
// bound, and writes an empty batch to carry the count of what it dropped
// when no other batch is coming to carry it. Called with mu held.
func (s *Spool) trim() error {
	if err := s.makeRoom(0); err != nil {
		return err
	}
	if s.drops.Pending == 0 {
		return nil
	}
	seq, err := s.write(&pb.Batch{}, "")
	if err != nil {
		return err
	}
	s.publish(seq)
	return nil
}

// refusedExt marks a batch the collector refused as invalid.
const refusedExt = ".refused"

// Refuse sets aside a batch the collector will never accept: it is renamed
// *.refused (kept for inspection, never sent again) and its sightings are
// counted as dropped, so the loss reaches the collector like any other.
func (s *Spool) Refuse(seq uint64, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meta[seq]
	if !ok {
		return fmt.Errorf("batch %d is not pending", seq)
	}
	s.drops.Pending += m.sightings + m.dropped
	s.drops.Total += m.sightings
	s.drops.Victims = []uint64{seq} // a crash before the rename deletes it on Open: counted once
	if err := s.saveDrops(); err != nil {
		return err
	}
	aside := strings.TrimSuffix(s.path(seq), batchExt) + refusedExt
	if err := os.Rename(s.path(seq), aside); err != nil {
		return fmt.Errorf("setting refused batch %d aside: %w", seq, err)
	}
	s.forget(seq)
	s.problems = append(s.problems, fmt.Sprintf("batch %d refused by the collector (%s): kept as %s, its %d sightings counted as dropped", seq, reason, aside, m.sightings))
	return s.trim()
}
