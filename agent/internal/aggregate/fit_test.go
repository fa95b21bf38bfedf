package aggregate

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/shadowai/shadowai/agent/internal/observe"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/signatures"
)

// TestLongFieldsFit: a process deep in the file system still counts; its
// path is cut to what the collector accepts and the sighting says so.
func TestLongFieldsFit(t *testing.T) {
	a := New(time.Minute, "h", "host", "v1")
	exe := "/opt/" + strings.Repeat("é", 700) + "/ollama"
	svc := &signatures.Service{ID: "ollama"}
	a.Add(&observe.Observation{Time: time.Unix(100, 0), Source: observe.Process, Service: svc, Exe: exe, Process: "ollama",
		Attrs: map[string]string{strings.Repeat("k", 80): "x", "cmdline": strings.Repeat("a", 3000)}})
	s := a.FlushAll()[0]
	if got := s.GetProcess().GetExe(); len(got) > maxField || !utf8.ValidString(got) || !strings.HasPrefix(exe, got) {
		t.Errorf("exe cut to %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
	if len(s.Attrs["cmdline"]) != maxField || s.Attrs["truncated"] == "" || len(s.Attrs) > maxAttrs {
		t.Errorf("attrs = %d of them, truncated=%q", len(s.Attrs), s.Attrs["truncated"])
	}
	if s.GetCount() != 1 {
		t.Errorf("count %d", s.GetCount())
	}
}

// TestInvalidUTF8Fits: bytes from the wire (an ALPN protocol id is raw
// bytes) or the file system (a path, a user name) may be invalid UTF-8,
// which protobuf refuses to encode. One such sighting must not make its
// whole batch and checkpoint unspoolable: it is repaired, and still counts.
func TestInvalidUTF8Fits(t *testing.T) {
	a := New(time.Minute, "h", "host", "v1")
	svc := &signatures.Service{ID: "openai-chatgpt"}
	a.Add(&observe.Observation{Time: time.Unix(100, 0), Source: observe.TLS, Service: svc, Domain: "chatgpt.com", ALPN: "h2\xff"})
	a.Add(&observe.Observation{Time: time.Unix(100, 0), Source: observe.Process, Service: svc, Exe: "/home/\xe9t\xe9/chatgpt", User: "\xff",
		Attrs: map[string]string{"path": "/home/\xe9t\xe9", "k\xff": "v"}})
	s := a.FlushAll()
	if _, err := proto.Marshal(&pb.Batch{Sightings: s}); err != nil {
		t.Fatalf("sightings do not encode: %v", err)
	}
	if s[0].GetCount()+s[1].GetCount() != 2 {
		t.Errorf("counts %d and %d, want 1 each", s[0].GetCount(), s[1].GetCount())
	}
}
