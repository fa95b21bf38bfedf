package sockets

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strconv"
)

// tcpListen is TCP_LISTEN in the kernel's tcp_states.h, as /proc/net/tcp
// and sock_diag report it.
const tcpListen = 0x0A

// ParseLine reads one line of /proc/net/{tcp,tcp6,udp,udp6}:
//
//	sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
//
// Addresses are hex in the kernel's byte order (each 32-bit word of the
// address little-endian), ports big-endian hex. ok is false for the header
// and malformed lines.
func ParseLine(line []byte) (local, remote netip.AddrPort, state uint8, uid string, inode uint64, ok bool) {
	var f [10][]byte
	n := 0
	for _, x := range bytes.Fields(line) {
		if n == len(f) {
			break
		}
		f[n] = x
		n++
	}
	if n < 10 || !bytes.HasSuffix(f[0], []byte(":")) {
		return
	}
	if local, ok = parseAddr(f[1]); !ok {
		return
	}
	if remote, ok = parseAddr(f[2]); !ok {
		return
	}
	st, err := strconv.ParseUint(string(f[3]), 16, 8)
	if err != nil {
		return local, remote, 0, "", 0, false
	}
	if _, err := strconv.ParseUint(string(f[7]), 10, 32); err != nil {
		return local, remote, 0, "", 0, false
	}
	if inode, err = strconv.ParseUint(string(f[9]), 10, 64); err != nil {
		return local, remote, 0, "", 0, false
	}
	return Unmap(local), Unmap(remote), uint8(st), string(f[7]), inode, true
}

func parseAddr(b []byte) (netip.AddrPort, bool) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(string(b[i+1:]), 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	var raw [16]byte
	hx := b[:i]
	if len(hx) != 8 && len(hx) != 32 {
		return netip.AddrPort{}, false
	}
	if _, err := hex.Decode(raw[:len(hx)/2], hx); err != nil {
		return netip.AddrPort{}, false
	}
	// Each 32-bit word is in host (little-endian) order.
	for w := 0; w < len(hx)/8; w++ {
		v := binary.LittleEndian.Uint32(raw[w*4:])
		binary.BigEndian.PutUint32(raw[w*4:], v)
	}
	var a netip.Addr
	if len(hx) == 8 {
		a = netip.AddrFrom4([4]byte(raw[:4]))
	} else {
		a = netip.AddrFrom16(raw)
	}
	return netip.AddrPortFrom(a, uint16(port)), true
}

// ParseSocketLink returns the inode of a /proc/PID/fd link target
// "socket:[12345]".
func ParseSocketLink(b []byte) (uint64, bool) {
	v, ok := bytes.CutPrefix(b, []byte("socket:["))
	if !ok || len(v) < 2 || v[len(v)-1] != ']' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(v[:len(v)-1]), 10, 64)
	return n, err == nil
}
