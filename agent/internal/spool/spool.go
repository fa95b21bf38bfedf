// Package spool keeps batches of sightings on disk from the moment they
// are made until the collector acknowledges them, so nothing is lost to a
// collector outage, an agent crash or a power cut.
//
// Each batch is one file named by its sequence number, written to a
// temporary name, synced and renamed into place (then the directory is
// synced). A file starts with a checksummed header, so a torn or damaged
// file is detected, set aside and reported, never sent. The spool is
// bounded: when it is full the oldest batches are dropped and the number
// of sightings they held rides on the next batch (Batch.dropped_sightings),
// so the loss reaches the collector, exactly.
package spool

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// File names.
const (
	batchExt  = ".batch"
	stagedExt = ".staged"
	badExt    = ".bad"
	seqFile   = "next-seq"
	marksDir  = "marks"
	// seqBlock sequence numbers are reserved on disk at once: after a
	// crash up to that many are skipped, never reused.
	seqBlock = 1024
	// maxSeq is the largest sequence number: the collector keeps them as
	// signed 64-bit numbers and refuses a larger one.
	maxSeq = math.MaxInt64
)

// DefaultMaxBytes bounds the spool when the configuration does not.
const DefaultMaxBytes = 256 << 20

// ErrCorrupt says a spooled batch failed its checksum or could not be
// decoded.
var ErrCorrupt = errors.New("spooled batch is damaged")

// Spool is a directory of pending batches.
type Spool struct {
	dir      string
	maxBytes int64
	notify   chan struct{}
	lock     *os.File

	mu       sync.Mutex // guards the fields below
	next     uint64     // next sequence number to hand out
	reserved uint64     // sequence numbers below this are reserved on disk
	pend     []uint64   // sorted sequence numbers on disk
	meta     map[uint64]meta
	bytes    int64
	sending  map[uint64]bool // read by the sender, not yet acknowledged or released
	drops    dropState
	problems []string
	open     []*pb.Sighting // windows open at the last checkpoint
	stuck    []uint64       // checkpointed batches still staged (their rename failed)
}

// Open opens (creating) the spool in dir, bounded to maxBytes (0 for the
// default), and finds the batches left from earlier runs. Damaged files are
// renamed aside and files from a newer agent are left alone; both are
// reported by Problems, never deleted.
func Open(dir string, maxBytes int64) (*Spool, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(filepath.Join(dir, marksDir), 0o700); err != nil {
		return nil, fmt.Errorf("creating spool %s: %w", dir, err)
	}
	s := &Spool{dir: dir, maxBytes: maxBytes, next: 1, notify: make(chan struct{}, 1), meta: map[uint64]meta{}, sending: map[uint64]bool{}}
	var err error
	if s.lock, err = lock(dir); err != nil {
		return nil, err
	}
	if err := s.load(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// load reads the spool's state from disk, finishing what a crash left.
func (s *Spool) load() error {
	_, err := os.Stat(filepath.Join(s.dir, dropFile))
	used := err == nil // every Open writes the drop journal
	if s.drops, err = loadDrops(s.dir); err != nil {
		return err
	}
	if err := s.recover(); err != nil {
		return err
	}
	if err := s.scan(); err != nil {
		return err
	}
	s.loadSeq(used)
	if err := s.settleDrops(); err != nil {
		return err
	}
	// A smaller bound in the configuration takes effect at once.
	return s.trim()
}

// loadSeq continues the numbering where the last run reserved up to. The
// collector takes a number it has seen for a re-send and drops the batch,
// so when that record is damaged, or lost from a spool that was used, the
// numbering jumps to the clock in microseconds: past any number handed
// out before, as long as the clock did not go back.
func (s *Spool) loadSeq(used bool) {
	path := filepath.Join(s.dir, seqFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if n, perr := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); perr == nil {
			s.next = max(s.next, n)
			s.reserved = s.next
			return
		}
	}
	if errors.Is(err, os.ErrNotExist) && !used {
		// A new spool: the record is made now, so that from here on its
		// absence means it was lost.
		s.reserved = s.next
		if err := writeDurable(s.dir, seqFile, []byte(strconv.FormatUint(s.next, 10)+"\n")); err != nil {
			s.problems = append(s.problems, fmt.Sprintf("could not record batch numbers in %s: %v", path, err))
		}
		return
	}
	s.next = max(s.next, uint64(time.Now().UnixMicro()))
	s.reserved = s.next
	s.problems = append(s.problems, fmt.Sprintf("the record of batch numbers %s was damaged or lost: numbering goes on from %d, so no number is used twice", path, s.next))
}

// scan lists the batch files and reads their headers.
func (s *Spool) scan() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("reading spool %s: %w", s.dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if isTemp(name) {
			os.Remove(filepath.Join(s.dir, name)) // an interrupted write: never complete, never acknowledged
			continue
		}
		seq, ok := parseName(name, batchExt)
		if !ok {
			continue
		}
		s.next = max(s.next, seq+1)
		m, err := readHeaderFile(filepath.Join(s.dir, name))
		if err != nil {
			s.setAside(seq, err)
			continue
		}
		s.pend = append(s.pend, seq)
		s.meta[seq] = m
		s.bytes += m.size
	}
	slices.Sort(s.pend)
	return nil
}

func readHeaderFile(path string) (meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return meta{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return meta{}, err
	}
	h := make([]byte, maxHeaderLen)
	n, _ := f.Read(h)
	return readHeader(h[:n], st.Size())
}

// setAside takes a batch the agent cannot read out of the queue without
// deleting it: a damaged one is renamed *.bad, one from a newer agent is
// left as it is. Either way it is reported.
func (s *Spool) setAside(seq uint64, why error) {
	path := s.path(seq)
	if errors.Is(why, errNewer) {
		s.problems = append(s.problems, fmt.Sprintf("spooled batch %s was %v: left in place, not sent; run the newer agent to send it", path, why))
		return
	}
	bad := strings.TrimSuffix(path, batchExt) + badExt
	if err := os.Rename(path, bad); err != nil {
		s.problems = append(s.problems, fmt.Sprintf("spooled batch %s is %v and could not be set aside: %v", path, why, err))
		return
	}
	s.problems = append(s.problems, fmt.Sprintf("spooled batch %d is %v: kept as %s for inspection, not sent", seq, why, bad))
}

func parseName(name, ext string) (uint64, bool) {
	base, ok := strings.CutSuffix(name, ext)
	if !ok {
		return 0, false
	}
	seq, err := strconv.ParseUint(base, 10, 64)
	return seq, err == nil && seq > 0
}

func (s *Spool) path(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", seq, batchExt))
}

// Problems lists the files Open could not use, one sentence each.
func (s *Spool) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

// Append numbers b with the next sequence number and writes it durably,
// dropping the oldest batches first if the spool would exceed its bound.
func (s *Spool) Append(b *pb.Batch) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, err := s.write(b, "")
	if err != nil {
		return 0, err
	}
	s.publish(seq)
	return seq, nil
}

// write reserves a number, makes room and writes b as a batch (or, with
// group set, as a staged file of that group). Called with mu held.
func (s *Spool) write(b *pb.Batch, group string) (uint64, error) {
	seq, err := s.reserve()
	if err != nil {
		return 0, err
	}
	b.Seq = seq
	b.DroppedSightings = s.drops.Pending
	data, m, err := seal(b)
	if err != nil {
		return 0, err
	}
	if err := s.makeRoom(m.size); err != nil {
		return 0, err
	}
	if b.DroppedSightings != s.drops.Pending { // makeRoom dropped more
		b.DroppedSightings = s.drops.Pending
		if data, m, err = seal(b); err != nil {
			return 0, err
		}
	}
	name, syncdir := filepath.Base(s.path(seq)), true
	if group != "" {
		// A staged file needs no directory sync of its own: AppendGroup
		// syncs the directory once before recording the mark.
		name, syncdir = stagedName(seq, group), false
	}
	if err := writeFile(s.dir, name, data, syncdir); err != nil {
		return 0, fmt.Errorf("spooling batch %d in %s: %w", seq, s.dir, err)
	}
	if m.dropped > 0 {
		if err := s.carried(seq); err != nil {
			return 0, err
		}
	}
	s.meta[seq] = m
	s.bytes += m.size
	return seq, nil
}

// seal gives a batch being spooled its digest, once and for good, and
// frames it.
func seal(b *pb.Batch) ([]byte, meta, error) {
	var err error
	if b.Digest, err = digestOf(b, b.Seq); err != nil {
		return nil, meta{}, err
	}
	if len(b.GetSightings()) == 0 {
		// A batch that only carries a dropped count is told apart by its
		// number, and after a restored state dir the number and the count
		// may both repeat those of a batch the collector committed, which
		// would then take this one for a re-send and lose its count. A
		// random part keeps it unique; the digest is stored, so it stays
		// the same on every send.
		var nonce [16]byte
		rand.Read(nonce[:])
		d := sha256.Sum256(append(b.Digest, nonce[:]...))
		b.Digest = d[:]
	}
	return encode(b)
}

// reserve hands out the next sequence number, reserving a block on disk
// when the last one is used up. Called with mu held.
func (s *Spool) reserve() (uint64, error) {
	if s.next > maxSeq {
		return 0, fmt.Errorf("reserving batch sequence numbers in %s: every number up to %d is used", s.dir, uint64(maxSeq))
	}
	if s.next >= s.reserved {
		upto := s.next + seqBlock
		if err := writeDurable(s.dir, seqFile, []byte(strconv.FormatUint(upto, 10)+"\n")); err != nil {
			return 0, fmt.Errorf("reserving batch sequence numbers in %s: %w", s.dir, err)
		}
		s.reserved = upto
	}
	seq := s.next
	s.next++
	return seq, nil
}

// publish makes a written batch visible to the sender. Called with mu held.
func (s *Spool) publish(seq uint64) {
	s.pend = append(s.pend, seq)
	slices.Sort(s.pend)
	select {
	case s.notify <- struct{}{}:
	default:
	}
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

// ErrNotPending says a batch is no longer pending: acknowledged, or
// dropped to make room since the caller listed it.
var ErrNotPending = errors.New("batch is no longer pending")

// Read loads a pending batch and marks it as being sent, so a full spool
// does not drop it while the collector may be committing it. The mark is
// set before the file is read: a batch dropped meanwhile would otherwise
// be counted as dropped and sent. A damaged batch is renamed aside (.bad)
// and dropped from the pending list; the error wraps ErrCorrupt and says
// so.
func (s *Spool) Read(seq uint64) (*pb.Batch, error) {
	s.mu.Lock()
	if _, ok := slices.BinarySearch(s.pend, seq); !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("reading spooled batch %d: %w", seq, ErrNotPending)
	}
	s.sending[seq] = true
	s.mu.Unlock()
	data, err := os.ReadFile(s.path(seq))
	if err != nil {
		s.Release(seq)
		return nil, fmt.Errorf("reading spooled batch %d: %w", seq, err)
	}
	b, err := decode(data)
	if err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.forget(seq)
		s.setAside(seq, err)
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, s.problems[len(s.problems)-1])
	}
	if len(b.Digest) == 0 { // spooled by an agent that predates digests
		if b.Digest, err = digestOf(b, seq); err != nil {
			s.Release(seq)
			return nil, err
		}
	}
	b.Seq = seq
	return b, nil
}

// Release returns batches that were read but not acknowledged (the stream
// broke) to the queue.
func (s *Spool) Release(seqs ...uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seq := range seqs {
		delete(s.sending, seq)
	}
}

// Ack deletes a batch the collector has committed.
func (s *Spool) Ack(seq uint64) error {
	if err := os.Remove(s.path(seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing acknowledged batch %d: %w", seq, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(seq)
	return nil
}

// forget removes seq from the bookkeeping. Called with mu held.
func (s *Spool) forget(seq uint64) {
	if i, ok := slices.BinarySearch(s.pend, seq); ok {
		s.pend = slices.Delete(s.pend, i, i+1)
	}
	s.bytes -= s.meta[seq].size
	delete(s.meta, seq)
	delete(s.sending, seq)
}

// Stats is the spool's state for the heartbeat.
type Stats struct {
	Batches int
	Bytes   int64
	// Sightings and Observations are what the pending batches hold.
	Sightings, Observations uint64
	// DroppedSightings counts every sighting ever dropped because the
	// spool was full; PendingDropped those not yet reported in a batch.
	DroppedSightings, PendingDropped uint64
	MaxBytes                         int64
}

// Stats reports the spool's state.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Batches: len(s.pend), Bytes: s.bytes, DroppedSightings: s.drops.Total, PendingDropped: s.drops.Pending, MaxBytes: s.maxBytes}
	for _, seq := range s.pend {
		st.Sightings += s.meta[seq].sightings
		st.Observations += s.meta[seq].observations
	}
	return st
}
