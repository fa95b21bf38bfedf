// Package spool keeps batches of sightings on disk from the moment they
// are made until the collector acknowledges them, so nothing is lost to a
// collector outage, an agent crash or a power cut.
//
// Each batch is one file named by its sequence number, written to a
// temporary name, synced and renamed into place. A file starts with a
// header carrying a CRC-32C of the payload, so a torn or damaged file is
// detected, set aside and reported, never sent.
package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/renameio/v2/maybe"
	"google.golang.org/protobuf/proto"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// File layout.
const (
	magic      = "SAIB"
	version    = 1
	headerLen  = 4 + 1 + 4 + 4 // magic, version, crc32c, length
	batchExt   = ".batch"
	badExt     = ".bad"
	seqFile    = "next-seq"
	maxPayload = 64 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt says a spooled batch failed its checksum or could not be
// decoded.
var ErrCorrupt = errors.New("spooled batch is damaged")

// Spool is a directory of pending batches.
type Spool struct {
	dir    string
	mu     sync.Mutex // guards next, pending
	next   uint64
	pend   []uint64 // sorted sequence numbers on disk
	notify chan struct{}
}

// Open opens (creating) the spool in dir and finds the batches left from
// earlier runs.
func Open(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating spool %s: %w", dir, err)
	}
	s := &Spool{dir: dir, next: 1, notify: make(chan struct{}, 1)}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading spool %s: %w", dir, err)
	}
	for _, e := range entries {
		if seq, ok := parseName(e.Name()); ok {
			s.pend = append(s.pend, seq)
			s.next = max(s.next, seq+1)
		}
	}
	slices.Sort(s.pend)
	if b, err := os.ReadFile(filepath.Join(dir, seqFile)); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
			s.next = max(s.next, n)
		}
	}
	return s, nil
}

func parseName(name string) (uint64, bool) {
	base, ok := strings.CutSuffix(name, batchExt)
	if !ok {
		return 0, false
	}
	seq, err := strconv.ParseUint(base, 10, 64)
	return seq, err == nil && seq > 0
}

func (s *Spool) path(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", seq, batchExt))
}

// Append numbers b with the next sequence number and writes it durably.
// The sequence number is reserved on disk first, so it is never reused,
// even after a crash.
func (s *Spool) Append(b *pb.Batch) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.next
	if err := maybe.WriteFile(filepath.Join(s.dir, seqFile), []byte(strconv.FormatUint(seq+1, 10)+"\n"), 0o600); err != nil {
		return 0, fmt.Errorf("reserving batch sequence number: %w", err)
	}
	s.next = seq + 1
	b.Seq = seq
	payload, err := proto.Marshal(b)
	if err != nil {
		return 0, fmt.Errorf("encoding batch %d: %w", seq, err)
	}
	if err := maybe.WriteFile(s.path(seq), frame(payload), 0o600); err != nil {
		return 0, fmt.Errorf("spooling batch %d: %w", seq, err)
	}
	s.pend = append(s.pend, seq)
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return seq, nil
}

func frame(payload []byte) []byte {
	out := make([]byte, headerLen, headerLen+len(payload))
	copy(out, magic)
	out[4] = version
	binary.BigEndian.PutUint32(out[5:], crc32.Checksum(payload, crcTable))
	binary.BigEndian.PutUint32(out[9:], uint32(len(payload)))
	return append(out, payload...)
}

// Pending lists the sequence numbers on disk, oldest first.
func (s *Spool) Pending() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pend)
}

// Len is the number of pending batches.
func (s *Spool) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pend)
}

// Notify is signalled after each Append.
func (s *Spool) Notify() <-chan struct{} { return s.notify }

// Read loads a pending batch. A damaged batch is renamed aside (.bad) and
// dropped from the pending list; the error wraps ErrCorrupt and says so.
func (s *Spool) Read(seq uint64) (*pb.Batch, error) {
	data, err := os.ReadFile(s.path(seq))
	if err != nil {
		return nil, fmt.Errorf("reading spooled batch %d: %w", seq, err)
	}
	b, err := unframe(data)
	if err != nil {
		bad := strings.TrimSuffix(s.path(seq), batchExt) + badExt
		os.Rename(s.path(seq), bad)
		s.drop(seq)
		return nil, fmt.Errorf("%w: batch %d (%v); kept as %s for inspection", ErrCorrupt, seq, err, bad)
	}
	b.Seq = seq
	return b, nil
}

func unframe(data []byte) (*pb.Batch, error) {
	if len(data) < headerLen || string(data[:4]) != magic {
		return nil, errors.New("bad header")
	}
	if data[4] != version {
		return nil, fmt.Errorf("written by a newer agent (format %d)", data[4])
	}
	n := binary.BigEndian.Uint32(data[9:])
	if n > maxPayload || int(n) != len(data)-headerLen {
		return nil, errors.New("torn write: length does not match")
	}
	payload := data[headerLen:]
	if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(data[5:]) {
		return nil, errors.New("checksum mismatch")
	}
	b := &pb.Batch{}
	if err := proto.Unmarshal(payload, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Ack deletes a batch the collector has committed.
func (s *Spool) Ack(seq uint64) error {
	if err := os.Remove(s.path(seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing acknowledged batch %d: %w", seq, err)
	}
	s.drop(seq)
	return nil
}

func (s *Spool) drop(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := slices.BinarySearch(s.pend, seq); ok {
		s.pend = slices.Delete(s.pend, i, i+1)
	}
}
