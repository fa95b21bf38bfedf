package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"google.golang.org/protobuf/proto"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// File format. Version 2 header, big-endian:
//
//	0  "SAIB"
//	4  version (2)
//	5  CRC-32C of bytes 9..end
//	9  payload length
//	13 sightings in the batch
//	17 observations (sum of sighting counts)
//	25 dropped sightings the batch carries
//	33 payload: the protobuf Batch
//
// The counts sit in the checksummed header so that opening a spool and
// dropping the oldest batch when it is full never has to decode payloads.
// Version 1 (the first agent's: magic, version, CRC, length) is still read.
const (
	magic        = "SAIB"
	version      = 2
	headerLen    = 33
	v1HeaderLen  = 13
	maxPayload   = 64 << 20
	maxHeaderLen = headerLen
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// meta is what a header says about its batch.
type meta struct {
	size         int64 // whole file
	sightings    uint64
	observations uint64
	dropped      uint64
}

func metaOf(b *pb.Batch, payloadLen int) meta {
	m := meta{size: int64(headerLen + payloadLen), sightings: uint64(len(b.GetSightings())), dropped: b.GetDroppedSightings()}
	for _, s := range b.GetSightings() {
		m.observations += s.GetCount()
	}
	return m
}

// encode frames a batch.
func encode(b *pb.Batch) ([]byte, meta, error) {
	payload, err := proto.Marshal(b)
	if err != nil {
		return nil, meta{}, fmt.Errorf("encoding batch %d: %w", b.GetSeq(), err)
	}
	m := metaOf(b, len(payload))
	out := make([]byte, headerLen, headerLen+len(payload))
	copy(out, magic)
	out[4] = version
	binary.BigEndian.PutUint32(out[9:], uint32(len(payload)))
	binary.BigEndian.PutUint32(out[13:], uint32(m.sightings))
	binary.BigEndian.PutUint64(out[17:], m.observations)
	binary.BigEndian.PutUint64(out[25:], m.dropped)
	out = append(out, payload...)
	binary.BigEndian.PutUint32(out[5:], crc32.Checksum(out[9:], crcTable))
	return out, m, nil
}

// Reasons a file is not read.
var (
	errNewer = errors.New("written by a newer agent")
	errTorn  = errors.New("torn or damaged")
)

// readHeader checks the header of a file of the given total size. Only
// the header bytes are needed; the checksum is checked by decode.
func readHeader(h []byte, size int64) (meta, error) {
	if len(h) < 5 || string(h[:4]) != magic {
		return meta{}, fmt.Errorf("%w: not a spooled batch (bad magic)", errTorn)
	}
	switch {
	case h[4] == 1:
		if len(h) < v1HeaderLen || int64(binary.BigEndian.Uint32(h[9:]))+v1HeaderLen != size {
			return meta{}, fmt.Errorf("%w: length does not match", errTorn)
		}
		return meta{size: size}, nil
	case h[4] != version:
		return meta{}, fmt.Errorf("%w (format %d, this agent reads up to %d)", errNewer, h[4], version)
	case len(h) < headerLen:
		return meta{}, fmt.Errorf("%w: header cut short", errTorn)
	}
	n := binary.BigEndian.Uint32(h[9:])
	if n > maxPayload || int64(n)+headerLen != size {
		return meta{}, fmt.Errorf("%w: length does not match", errTorn)
	}
	return meta{
		size: size, sightings: uint64(binary.BigEndian.Uint32(h[13:])),
		observations: binary.BigEndian.Uint64(h[17:]), dropped: binary.BigEndian.Uint64(h[25:]),
	}, nil
}

// decode checks a whole file and returns its batch.
func decode(data []byte) (*pb.Batch, error) {
	m, err := readHeader(data, int64(len(data)))
	if err != nil {
		return nil, err
	}
	var payload []byte
	if data[4] == 1 {
		payload = data[v1HeaderLen:]
		if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(data[5:]) {
			return nil, fmt.Errorf("%w: checksum mismatch", errTorn)
		}
	} else {
		payload = data[headerLen:]
		if crc32.Checksum(data[9:], crcTable) != binary.BigEndian.Uint32(data[5:]) {
			return nil, fmt.Errorf("%w: checksum mismatch", errTorn)
		}
	}
	b := &pb.Batch{}
	if err := proto.Unmarshal(payload, b); err != nil {
		return nil, fmt.Errorf("%w: %v", errTorn, err)
	}
	if data[4] != 1 && uint64(len(b.GetSightings())) != m.sightings {
		return nil, fmt.Errorf("%w: header and payload disagree", errTorn)
	}
	return b, nil
}
