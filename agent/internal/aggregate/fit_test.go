package aggregate

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shadowai/shadowai/agent/internal/observe"
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
