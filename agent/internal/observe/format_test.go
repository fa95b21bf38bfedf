package observe

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestTableCellsAreInert: a process name is whatever a local user made
// it; in the table it must not carry terminal escapes, tabs or newlines
// that would forge columns or rows.
func TestTableCellsAreInert(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, FormatTable)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(&Observation{Time: time.Unix(0, 0), Source: Process, Process: "a\x1b]0;pwn\x07\tb\nc", User: "u\u009bx"})
	w.Flush()
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07\u009b") || strings.Count(out, "\n") != 2 {
		t.Errorf("table output carries control characters or extra rows: %q", out)
	}
}
