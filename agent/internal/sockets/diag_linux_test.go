package sockets

import (
	"net"
	"net/netip"
	"testing"
)

func TestFindOwnSockets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u, err := net.Dial("udp", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for _, tc := range []struct {
		name, transport string
		local, remote   string
		found           bool
	}{
		{"tcp client", TCP, c.LocalAddr().String(), c.RemoteAddr().String(), true},
		{"udp connected", UDP, u.LocalAddr().String(), u.RemoteAddr().String(), true},
		{"no such connection (the listener must not answer)", TCP, ln.Addr().String(), "127.0.0.1:1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ino, err := Find(tc.transport, netip.MustParseAddrPort(tc.local), netip.MustParseAddrPort(tc.remote))
			if err != nil {
				t.Skipf("sock_diag unavailable: %v", err)
			}
			if (ino != 0) != tc.found {
				t.Errorf("inode %d, want found=%v", ino, tc.found)
			}
		})
	}
}

func FuzzParseDiagReply(f *testing.F) {
	f.Add(make([]byte, 88), uint32(0))
	f.Add([]byte{16, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, uint32(1))
	f.Fuzz(func(t *testing.T, b []byte, seq uint32) {
		ParseDiagReply(b, seq, netip.MustParseAddrPort("127.0.0.1:5"), netip.MustParseAddrPort("127.0.0.1:6"), true)
	})
}

func TestListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	socks, err := Listening()
	if err != nil {
		t.Skipf("sock_diag unavailable: %v", err)
	}
	want := netip.MustParseAddrPort(ln.Addr().String())
	for _, s := range socks {
		if s.Local == want && s.Listen && s.Inode != 0 {
			return
		}
	}
	t.Errorf("listener %v not in %d listening sockets", want, len(socks))
}

func FuzzParseDiagDump(f *testing.F) {
	f.Add(make([]byte, 88), uint32(0))
	f.Add([]byte{16, 0, 0, 0, 3, 0, 2, 0, 7, 0, 0, 0, 0, 0, 0, 0}, uint32(7))
	f.Fuzz(func(t *testing.T, b []byte, seq uint32) {
		ParseDiagDump(b, seq, func(s Socket) {
			if s.Transport != TCP {
				t.Errorf("socket %+v", s)
			}
		})
	})
}
