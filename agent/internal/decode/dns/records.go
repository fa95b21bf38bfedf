package dns

import "encoding/binary"

// RR is one resource record. Data aliases the message; for a CNAME, read
// the target with ReadName(msg, DataOff, ...), since it may be compressed.
type RR struct {
	Type    uint16
	Class   uint16
	TTL     uint32
	Data    []byte
	DataOff int
}

// Records walks count resource records starting at off.
type Records struct {
	msg  []byte
	off  int
	left int
	err  error
}

// NewRecords returns a walker over count records at msg[off:].
func NewRecords(msg []byte, off, count int) Records {
	return Records{msg: msg, off: off, left: count}
}

// Next reads the next record, its owner name into name (length n). It
// returns false at the end or on a malformed record (see Err).
func (r *Records) Next(name *Name) (rr RR, n int, ok bool) {
	if r.left <= 0 || r.err != nil || r.off < 0 {
		return RR{}, 0, false
	}
	r.left--
	n, end, err := ReadName(r.msg, r.off, name)
	if err != nil {
		r.err = err
		return RR{}, 0, false
	}
	if len(r.msg) < end+10 {
		r.err = ErrShort
		return RR{}, 0, false
	}
	rdlen := int(binary.BigEndian.Uint16(r.msg[end+8:]))
	if len(r.msg) < end+10+rdlen {
		r.err = ErrShort
		return RR{}, 0, false
	}
	rr = RR{
		Type:    binary.BigEndian.Uint16(r.msg[end:]),
		Class:   binary.BigEndian.Uint16(r.msg[end+2:]),
		TTL:     binary.BigEndian.Uint32(r.msg[end+4:]),
		Data:    r.msg[end+10 : end+10+rdlen],
		DataOff: end + 10,
	}
	r.off = end + 10 + rdlen
	return rr, n, true
}

// Err is the error that stopped Next, if any.
func (r *Records) Err() error { return r.err }
