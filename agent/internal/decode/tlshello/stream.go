package tlshello

// MaxHello bounds the ClientHello a stream parser collects. Post-quantum
// key shares make today's hellos 1.5-2 KiB; 16 KiB leaves room for large
// extension lists without letting a peer make the sensor buffer more.
const MaxHello = 16 << 10

// ParseStream parses a ClientHello from the first bytes of a TCP stream,
// b being the gap-free prefix reassembled so far. The hello may span
// several TLS records (RFC 8446 section 5.1 lets a handshake message be
// fragmented); scratch collects it then, and Hello aliases scratch or b.
// ErrIncomplete asks for more bytes.
func ParseStream(b []byte, scratch *[]byte) (Hello, error) {
	if len(b) < 6 {
		return Hello{}, ErrIncomplete
	}
	if !IsRecordStart(b) {
		return Hello{}, ErrNotHello
	}
	n := RecordLen(b)
	if len(b) >= n && len(b[5:n]) >= 4 && handshakeLen(b[5:n]) <= n-5 {
		return ParseHandshake(b[5:n]) // common case: one record
	}
	return parseFragmented(b, scratch)
}

func handshakeLen(b []byte) int { return 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3])) }

// parseFragmented concatenates handshake record bodies until the hello
// is whole.
func parseFragmented(b []byte, scratch *[]byte) (Hello, error) {
	hs := (*scratch)[:0]
	for {
		if len(b) < 5 {
			return Hello{}, ErrIncomplete
		}
		if b[0] != 0x16 || b[1] != 0x03 {
			return Hello{}, ErrMalformed
		}
		n := RecordLen(b)
		if n-5 > MaxHello {
			return Hello{}, ErrMalformed
		}
		if len(b) < n {
			*scratch = hs
			return Hello{}, ErrIncomplete
		}
		hs = append(hs, b[5:n]...)
		b = b[n:]
		if len(hs) >= 4 {
			need := handshakeLen(hs)
			if need > MaxHello {
				return Hello{}, ErrMalformed
			}
			if len(hs) >= need {
				*scratch = hs
				return ParseHandshake(hs)
			}
		}
	}
}
