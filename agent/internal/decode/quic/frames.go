package quic

// Frame types allowed in Initial packets (RFC 9000 section 12.4).
const (
	framePadding      = 0x00
	framePing         = 0x01
	frameAck          = 0x02
	frameAckECN       = 0x03
	frameCrypto       = 0x06
	frameCryptoGoogle = 0x08
	frameClose        = 0x1c
	frameCloseApp     = 0x1d
	maxCryptoOffset   = 1 << 20
)

// Frames walks the frames of a decrypted Initial payload and returns its
// CRYPTO frames one by one.
type Frames struct {
	b      []byte
	err    error
	crypto byte
}

// NewFrames walks the payload of an Initial of version v. Google's T05x
// versions number the CRYPTO frame 0x08.
func NewFrames(payload []byte, v uint32) Frames {
	f := Frames{b: payload, crypto: frameCrypto}
	if v == T050 || v == T051 {
		f.crypto = frameCryptoGoogle
	}
	return f
}

// NextCrypto returns the next CRYPTO frame's stream offset and data,
// skipping padding, PING, ACK and CONNECTION_CLOSE. It returns false at
// the end, or on a malformed or unexpected frame (see Err).
func (f *Frames) NextCrypto() (off uint64, data []byte, ok bool) {
	for len(f.b) > 0 && f.err == nil {
		t := f.b[0]
		f.b = f.b[1:]
		if t == f.crypto {
			return f.cryptoFrame()
		}
		switch t {
		case framePadding, framePing:
		case frameAck, frameAckECN:
			f.skipAck(t == frameAckECN)
		case frameClose, frameCloseApp:
			f.skipClose(t == frameClose)
		default:
			f.err = ErrFrame
		}
	}
	return 0, nil, false
}

// Err is the error that stopped the walk, if any.
func (f *Frames) Err() error { return f.err }

func (f *Frames) cryptoFrame() (uint64, []byte, bool) {
	off, ok1 := f.varint()
	n, ok2 := f.varint()
	if !ok1 || !ok2 || n > uint64(len(f.b)) || off > maxCryptoOffset {
		f.err = ErrFrame
		return 0, nil, false
	}
	data := f.b[:n]
	f.b = f.b[n:]
	return off, data, true
}

// skipAck skips largest, delay, range count, first range, the ranges and
// the ECN counts.
func (f *Frames) skipAck(ecn bool) {
	f.varints(2)
	count, ok := f.varint()
	if !ok || count > uint64(len(f.b)) {
		f.err = ErrFrame
		return
	}
	f.varints(1 + 2*int(count))
	if ecn {
		f.varints(3)
	}
}

func (f *Frames) skipClose(transport bool) {
	f.varints(1)
	if transport {
		f.varints(1)
	}
	n, ok := f.varint()
	if !ok || n > uint64(len(f.b)) {
		f.err = ErrFrame
		return
	}
	f.b = f.b[n:]
}

func (f *Frames) varints(n int) {
	for range n {
		if _, ok := f.varint(); !ok {
			return
		}
	}
}

func (f *Frames) varint() (uint64, bool) {
	v, n, ok := varint(f.b)
	if !ok {
		f.err = ErrFrame
		return 0, false
	}
	f.b = f.b[n:]
	return v, true
}
