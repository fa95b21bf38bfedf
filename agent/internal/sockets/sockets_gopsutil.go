//go:build windows || darwin

package sockets

import (
	"errors"
	"net/netip"
	"strconv"
	"syscall"

	"github.com/shirou/gopsutil/v4/net"
)

// Reader takes snapshots of the socket table through gopsutil.
type Reader struct{}

// NewReader returns a Reader; root must be empty on this OS.
func NewReader(root string) (*Reader, error) {
	if root != "" {
		return nil, errors.New("a /proc root directory is only supported on Linux")
	}
	return &Reader{}, nil
}

// SnapshotFor is Snapshot: the OS returns every owner at once.
func (r *Reader) SnapshotFor(func(*Socket) bool) ([]Socket, Stats, error) { return r.Snapshot() }

// Snapshot reads every TCP and UDP socket with its owning pid.
func (r *Reader) Snapshot() ([]Socket, Stats, error) {
	var st Stats
	conns, err := net.Connections("inet")
	if err != nil {
		return nil, st, err
	}
	out := make([]Socket, 0, len(conns))
	for _, c := range conns {
		s, ok := convert(c)
		if !ok {
			st.Malformed++
			continue
		}
		if s.PID == 0 {
			st.Unowned++
		}
		out = append(out, s)
	}
	st.Sockets = len(out)
	return out, st, nil
}

func convert(c net.ConnectionStat) (Socket, bool) {
	s := Socket{PID: int(c.Pid)}
	switch c.Type {
	case syscall.SOCK_STREAM:
		s.Transport = TCP
	case syscall.SOCK_DGRAM:
		s.Transport = UDP
	default:
		return s, false
	}
	var ok bool
	if s.Local, ok = addrPort(c.Laddr); !ok {
		return s, false
	}
	if s.Remote, ok = addrPort(c.Raddr); !ok {
		s.Remote = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	}
	s.Listen = s.Transport == TCP && c.Status == "LISTEN"
	if len(c.Uids) > 0 {
		s.UID = strconv.Itoa(int(c.Uids[0]))
	}
	return s, true
}

func addrPort(a net.Addr) (netip.AddrPort, bool) {
	ip, err := netip.ParseAddr(a.IP)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return Unmap(netip.AddrPortFrom(ip, uint16(a.Port))), true
}
