package procscan

import (
	"context"
	"encoding/binary"
	"fmt"
	"syscall"
)

// Linux process connector (linux/connector.h, linux/cn_proc.h).
const (
	netlinkConnector = 11
	cnIdxProc        = 1
	cnValProc        = 1
	procCnListen     = 1
	procEventExec    = 0x2
	cnMsgLen         = 20
	nlHdrLen         = 16
)

// WatchExecs calls fn with the pid of every process that starts a new
// program, until ctx ends. It uses the kernel's process connector, which
// costs nothing while nothing starts; it needs root (CAP_NET_ADMIN) and
// the host's network namespace, and fails otherwise.
func WatchExecs(ctx context.Context, fn func(pid int)) error {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkConnector)
	if err != nil {
		return fmt.Errorf("opening the process connector: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		return fmt.Errorf("joining the process connector's group: %w", err)
	}
	if err := syscall.Sendto(fd, listenRequest(execFilter()), 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return fmt.Errorf("subscribing to process events: %w", err)
	}
	tv := syscall.Timeval{Sec: 1}
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			continue
		case err == syscall.ENOBUFS:
			continue // events were dropped under load; the periodic scan covers them
		case err != nil:
			return fmt.Errorf("reading process events: %w", err)
		}
		ParseProcEvents(buf[:n], fn)
	}
	return nil
}

// listenRequest is a netlink message carrying PROC_CN_MCAST_LISTEN and,
// with filter, struct proc_input asking for exec events only: a busy host
// forks and exits thousands of times a second, and each event not asked
// for would wake the agent.
func listenRequest(filter bool) []byte {
	payload := 4
	if filter {
		payload = 8
	}
	b := make([]byte, nlHdrLen+cnMsgLen+payload)
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], syscall.NLMSG_DONE)
	binary.NativeEndian.PutUint32(b[16:], cnIdxProc)
	binary.NativeEndian.PutUint32(b[20:], cnValProc)
	binary.NativeEndian.PutUint16(b[32:], uint16(payload))
	binary.NativeEndian.PutUint32(b[36:], procCnListen)
	if filter {
		binary.NativeEndian.PutUint32(b[40:], procEventExec)
	}
	return b
}

// execFilter says whether the kernel filters process events per listener
// (Linux 6.6 and later); older kernels ignore a listen request that
// carries a filter, so they get the plain one.
func execFilter() bool {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return false
	}
	var rel []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	return KernelAtLeast(string(rel), 6, 6)
}
