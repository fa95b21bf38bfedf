package attribute

import (
	"net/netip"
	"time"

	"github.com/shadowai/shadowai/agent/internal/sockets"
)

// find asks the kernel for the one socket of a flow (sock_diag) and walks
// the processes for its owner, without reading the whole socket table:
// the fast path for a miss on a busy host. Only for this host's /proc.
func (a *Attributor) find(transport string, local, remote netip.AddrPort, now time.Time) *entry {
	if !a.real {
		return nil
	}
	ino, err := sockets.Find(transport, local, remote)
	if err != nil {
		return nil
	}
	a.diag = true
	if ino == 0 {
		return nil
	}
	pid := a.reader.OwnerWhile(ino, func() bool {
		again, err := sockets.Find(transport, local, remote)
		return err == nil && again == ino
	})
	if pid == 0 {
		return nil
	}
	ow, ok := a.owner(pid)
	if !ok {
		return nil
	}
	a.stats.Found++
	e := &entry{inode: ino, owner: ow, first: now, last: now, live: true,
		reuseGuarded: transport == sockets.TCP && !remote.Addr().IsLoopback()}
	a.flows[flowKey{transport, local, remote}] = e
	return e
}
