package sockets

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"sync/atomic"
	"syscall"
)

// Netlink sock_diag constants (linux/sock_diag.h, linux/inet_diag.h).
const (
	netlinkSockDiag   = 4
	sockDiagByFamily  = 20
	nlmsgError        = 2
	nlmsgHdrLen       = 16
	inetDiagReqLen    = 56
	inetDiagMsgMinLen = 72
)

var diagSeq atomic.Uint32

// Find asks the kernel (netlink sock_diag, as ss does) for the one socket
// with these local and remote ends, without reading the whole table. It
// returns the socket's inode, or 0 when there is none. The answer is
// checked against both ends: the kernel's lookup may fall back to a
// listening or unconnected socket, which is accepted only for UDP.
func Find(transport string, local, remote netip.AddrPort) (uint64, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	tv := syscall.Timeval{Sec: 1}
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	var buf [8192]byte
	for _, q := range queries(transport, local, remote) {
		ino, err := ask(fd, q, buf[:])
		if err != nil || ino == 0 {
			continue
		}
		return ino, nil
	}
	return 0, nil
}

// query is one sock_diag request: the ids to send and the ends an answer
// must have.
type query struct {
	family, proto uint8
	src, dst      netip.AddrPort // as sent (UDP lookups take them reversed)
	local, remote netip.AddrPort // what the answer must show
}

func queries(transport string, local, remote netip.AddrPort) []query {
	var out []query
	families := []uint8{syscall.AF_INET6}
	if local.Addr().Is4() {
		families = []uint8{syscall.AF_INET, syscall.AF_INET6} // then dual-stack sockets
	}
	for _, fam := range families {
		l, r := local, remote
		if fam == syscall.AF_INET6 && l.Addr().Is4() {
			l = netip.AddrPortFrom(netip.AddrFrom16(l.Addr().As16()), l.Port())
			r = netip.AddrPortFrom(netip.AddrFrom16(r.Addr().As16()), r.Port())
		}
		if transport == UDP {
			out = append(out, query{fam, syscall.IPPROTO_UDP, r, l, local, remote})
		} else {
			out = append(out, query{fam, syscall.IPPROTO_TCP, l, r, local, remote})
		}
	}
	return out
}

func ask(fd int, q query, buf []byte) (uint64, error) {
	req := make([]byte, nlmsgHdrLen+inetDiagReqLen)
	seq := diagSeq.Add(1)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], sockDiagByFamily)
	binary.NativeEndian.PutUint16(req[6:], syscall.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(req[8:], seq)
	r := req[nlmsgHdrLen:]
	r[0], r[1] = q.family, q.proto
	binary.NativeEndian.PutUint32(r[4:], ^uint32(0)) // all states
	putSockID(r[8:], q.src, q.dst)
	binary.NativeEndian.PutUint32(r[48:], ^uint32(0)) // no cookie
	binary.NativeEndian.PutUint32(r[52:], ^uint32(0))
	sa := &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}
	if err := syscall.Sendto(fd, req, 0, sa); err != nil {
		return 0, err
	}
	n, _, err := syscall.Recvfrom(fd, buf, 0)
	if err != nil {
		return 0, err
	}
	return ParseDiagReply(buf[:n], seq, q.local, q.remote, q.proto == syscall.IPPROTO_UDP)
}

// putSockID writes struct inet_diag_sockid's ports and addresses.
func putSockID(b []byte, src, dst netip.AddrPort) {
	binary.BigEndian.PutUint16(b[0:], src.Port())
	binary.BigEndian.PutUint16(b[2:], dst.Port())
	putAddr(b[4:20], src.Addr())
	putAddr(b[20:36], dst.Addr())
}

func putAddr(b []byte, a netip.Addr) {
	if a.Is4() {
		v := a.As4()
		copy(b, v[:])
		return
	}
	v := a.As16()
	copy(b, v[:])
}

// ParseDiagReply reads a sock_diag answer (one inet_diag_msg, or an error)
// and returns the socket's inode if its ends are local and remote (for
// UDP, an unconnected socket bound to the local port, or to all
// addresses, also answers).
func ParseDiagReply(b []byte, seq uint32, local, remote netip.AddrPort, udp bool) (uint64, error) {
	if len(b) < nlmsgHdrLen {
		return 0, errors.New("short netlink reply")
	}
	typ := binary.NativeEndian.Uint16(b[4:])
	if binary.NativeEndian.Uint32(b[8:]) != seq {
		return 0, errors.New("netlink reply to another request")
	}
	if typ == nlmsgError {
		return 0, nil // ENOENT: no such socket
	}
	m := b[nlmsgHdrLen:]
	if typ != sockDiagByFamily || len(m) < inetDiagMsgMinLen {
		return 0, errors.New("unexpected netlink reply")
	}
	fam := m[0]
	l := sockEnd(fam, m[4:], m[8:])
	r := sockEnd(fam, m[6:], m[24:])
	state := m[1]
	inode := uint64(binary.NativeEndian.Uint32(m[68:]))
	switch {
	case l == local && r == remote && state != tcpListen:
		return inode, nil
	case udp && l.Port() == local.Port() && (l.Addr() == local.Addr() || l.Addr().IsUnspecified()) && r.Port() == 0:
		return inode, nil
	}
	return 0, nil
}

func sockEnd(fam uint8, port, addr []byte) netip.AddrPort {
	p := binary.BigEndian.Uint16(port)
	if fam == syscall.AF_INET {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(addr[:4])), p)
	}
	return Unmap(netip.AddrPortFrom(netip.AddrFrom16([16]byte(addr[:16])), p))
}

// Listening asks the kernel (a sock_diag dump filtered to the LISTEN
// state) for the listening TCP sockets only: on a busy host the socket
// table holds thousands of connections, and reading /proc/net/tcp for a
// handful of listeners costs milliseconds.
func Listening() ([]Socket, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	tv := syscall.Timeval{Sec: 1}
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	buf := make([]byte, 32<<10)
	var out []Socket
	for _, fam := range []uint8{syscall.AF_INET, syscall.AF_INET6} {
		if err := dumpListeners(fd, fam, buf, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func dumpListeners(fd int, fam uint8, buf []byte, out *[]Socket) error {
	req := make([]byte, nlmsgHdrLen+inetDiagReqLen)
	seq := diagSeq.Add(1)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], sockDiagByFamily)
	binary.NativeEndian.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:], seq)
	r := req[nlmsgHdrLen:]
	r[0], r[1] = fam, syscall.IPPROTO_TCP
	binary.NativeEndian.PutUint32(r[4:], 1<<tcpListen)
	if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return err
	}
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return err
		}
		done, err := ParseDiagDump(buf[:n], seq, func(s Socket) { *out = append(*out, s) })
		if err != nil || done {
			return err
		}
	}
}

// ParseDiagDump reads the messages of one sock_diag dump reply, calling
// fn for each socket; done is set at the end of the dump.
func ParseDiagDump(b []byte, seq uint32, fn func(Socket)) (done bool, err error) {
	for len(b) >= nlmsgHdrLen {
		n := int(binary.NativeEndian.Uint32(b))
		if n < nlmsgHdrLen || n > len(b) {
			return false, errors.New("truncated netlink message")
		}
		typ := binary.NativeEndian.Uint16(b[4:])
		mseq := binary.NativeEndian.Uint32(b[8:])
		m := b[nlmsgHdrLen:n]
		b = b[min(len(b), (n+3)&^3):]
		if mseq != seq {
			continue // a late answer to an earlier request
		}
		switch {
		case typ == syscall.NLMSG_DONE:
			return true, nil
		case typ == nlmsgError:
			return true, errors.New("sock_diag dump refused")
		case typ != sockDiagByFamily || len(m) < inetDiagMsgMinLen:
			continue
		}
		fam := m[0]
		fn(Socket{
			Transport: TCP, Listen: m[1] == tcpListen,
			Local: sockEnd(fam, m[4:], m[8:]), Remote: sockEnd(fam, m[6:], m[24:]),
			UID:   strconv.FormatUint(uint64(binary.NativeEndian.Uint32(m[64:])), 10),
			Inode: uint64(binary.NativeEndian.Uint32(m[68:])),
		})
	}
	return false, nil
}
