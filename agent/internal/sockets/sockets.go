// Package sockets reads the host's TCP and UDP socket table with the
// process that owns each socket: the facts flow attribution and local
// runtime (listener) detection are built on.
//
// Linux reads /proc/net/{tcp,tcp6,udp,udp6} and maps socket inodes to
// processes through /proc/PID/fd; Windows and macOS ask the OS through
// gopsutil, which returns the owning pid directly.
package sockets

import (
	"net/netip"
)

// Transports.
const (
	TCP = "tcp"
	UDP = "udp"
)

// Socket is one entry of the socket table.
type Socket struct {
	Transport string
	Local     netip.AddrPort
	// Remote is the zero-address port 0 for listening and unconnected
	// sockets.
	Remote netip.AddrPort
	// Listen is set for a TCP socket in LISTEN state.
	Listen bool
	// PID owns the socket; 0 when no process could be found (the socket
	// closed, or it belongs to the kernel or to a process in another pid
	// namespace).
	PID int
	// UID is the socket's owner uid as the kernel records it.
	UID   string
	Inode uint64
}

// Stats counts what one snapshot read and skipped.
type Stats struct {
	Sockets int
	// Malformed lines of the socket tables, skipped.
	Malformed int
	// Unowned sockets whose process was not found.
	Unowned int
	// Unreadable processes whose descriptors could not be listed.
	Unreadable int
}

// Unmap returns a with an IPv4-mapped IPv6 address turned into IPv4, the
// form dual-stack sockets and packets are compared in.
func Unmap(a netip.AddrPort) netip.AddrPort {
	if a.Addr().Is4In6() {
		return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	}
	return a
}
