package sockets

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSnapshotFakeProc(t *testing.T) {
	r, err := NewReader("../../testdata/host/proc")
	if err != nil {
		t.Fatal(err)
	}
	socks, st, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Stats{Sockets: 8, Malformed: 1, Unowned: 1}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	type row struct {
		T, L, R string
		Listen  bool
		PID     int
	}
	var got []row
	for _, s := range socks {
		got = append(got, row{s.Transport, s.Local.String(), s.Remote.String(), s.Listen, s.PID})
	}
	want := []row{
		{"tcp", "127.0.0.1:11434", "0.0.0.0:0", true, 100},
		{"tcp", "0.0.0.0:9101", "0.0.0.0:0", true, 101},
		{"tcp", "0.0.0.0:8080", "0.0.0.0:0", true, 110},
		{"tcp", "0.0.0.0:1234", "0.0.0.0:0", true, 800},
		{"tcp", "10.0.0.5:50000", "160.79.104.10:443", false, 200},
		{"tcp", "[::]:8080", "[::]:0", true, 110},
		{"tcp", "[::1]:41000", "[::1]:11434", false, 0},
		{"udp", "10.0.0.5:40000", "10.0.0.1:53", false, 210},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sockets (-want +got):\n%s", diff)
	}
}

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		name, line   string
		local, remot string
		state        uint8
		inode        uint64
		ok           bool
	}{
		{"v4 listen", "   0: 0100007F:2CAA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 5001 1 0000000000000000 100 0 0 10 0",
			"127.0.0.1:11434", "0.0.0.0:0", 0x0A, 5001, true},
		{"v4-mapped v6", "   0: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000200007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 77 1",
			"127.0.0.1:8080", "127.0.0.2:50000", 1, 77, true},
		{"v6 loopback", "   1: 00000000000000000000000001000000:A028 00000000000000000000000001000000:2CAA 01 00000000:00000000 00:00000000 00000000  1000        0 6003 1",
			"[::1]:41000", "[::1]:11434", 1, 6003, true},
		{"header", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", "", "", 0, 0, false},
		{"short", "   5: this line is malformed", "", "", 0, 0, false},
		{"bad hex", "   0: 0100007G:2CAA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 5001", "", "", 0, 0, false},
		{"odd address length", "   0: 0100007:2CAA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 5001", "", "", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, r, st, _, inode, ok := ParseLine([]byte(tc.line))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if l != netip.MustParseAddrPort(tc.local) || r != netip.MustParseAddrPort(tc.remot) || st != tc.state || inode != tc.inode {
				t.Errorf("got %v %v %x %d", l, r, st, inode)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte("   0: 0100007F:2CAA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 5001 1 0000000000000000 100 0 0 10 0"))
	f.Add([]byte("   1: 00000000000000000000000001000000:A028 00000000000000000000000001000000:2CAA 01 00000000:00000000 00:00000000 00000000  1000        0 6003 1"))
	f.Add([]byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"))
	f.Fuzz(func(t *testing.T, line []byte) {
		l, r, _, _, _, ok := ParseLine(line)
		if ok && (!l.IsValid() || !r.IsValid()) {
			t.Errorf("ok with invalid addresses %v %v", l, r)
		}
	})
}

func FuzzParseSocketLink(f *testing.F) {
	for _, s := range []string{"socket:[12345]", "pipe:[1]", "socket:[]", "/dev/null", "socket:[18446744073709551616]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, ok := ParseSocketLink(b)
		if !ok {
			return
		}
		if m, ok := ParseSocketLink([]byte("socket:[" + strconv.FormatUint(n, 10) + "]")); !ok || m != n {
			t.Errorf("%q parsed as %d, which does not parse back", b, n)
		}
	})
}
