package observe

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
)

// Record is the jsonl rendering of an Observation. The field names are a
// public contract: scripts and tests depend on them.
type Record struct {
	Source   string            `json:"source"`
	Domain   string            `json:"domain"`
	Service  string            `json:"service"`
	Vendor   string            `json:"vendor"`
	Category string            `json:"category"`
	Risk     int               `json:"risk,omitempty"`
	TS       string            `json:"ts"`
	SrcIP    string            `json:"src_ip"`
	DstIP    string            `json:"dst_ip"`
	DstPort  int               `json:"dst_port"`
	PID      int               `json:"pid"`
	Exe      string            `json:"exe"`
	Process  string            `json:"process"`
	User     string            `json:"user"`
	ALPN     string            `json:"alpn,omitempty"`
	ECH      bool              `json:"ech,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

// ToRecord renders o for output.
func ToRecord(o *Observation) Record {
	r := Record{
		Source:  string(o.Source),
		Domain:  o.Domain,
		TS:      o.Time.UTC().Format(time.RFC3339Nano),
		DstPort: int(o.DstPort),
		PID:     o.PID,
		Exe:     o.Exe,
		Process: o.Process,
		User:    o.User,
		ALPN:    o.ALPN,
		ECH:     o.ECH,
		Attrs:   o.Attrs,
	}
	if o.SrcIP.IsValid() {
		r.SrcIP = o.SrcIP.String()
	}
	if o.DstIP.IsValid() {
		r.DstIP = o.DstIP.String()
	}
	if s := o.Service; s != nil {
		r.Service, r.Vendor, r.Category, r.Risk = s.ID, s.Vendor, s.Category, s.Risk
	}
	return r
}

// Writer prints observations as jsonl (one JSON object a line) or as an
// aligned table.
type Writer struct {
	bw    *bufio.Writer
	enc   *json.Encoder
	tw    *tabwriter.Writer
	table bool
}

// Formats a Writer accepts.
const (
	FormatJSONL = "jsonl"
	FormatTable = "table"
)

// NewWriter returns a Writer for format "jsonl" or "table".
func NewWriter(w io.Writer, format string) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case FormatJSONL:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		return &Writer{bw: bw, enc: enc}, nil
	case FormatTable:
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tSOURCE\tDOMAIN\tSERVICE\tVENDOR\tCATEGORY\tSRC\tDST\tPID\tPROCESS\tUSER")
		return &Writer{bw: bw, tw: tw, table: true}, nil
	}
	return nil, fmt.Errorf("unknown format %q: use jsonl or table", format)
}

// Write prints one observation.
func (w *Writer) Write(o *Observation) error {
	r := ToRecord(o)
	if !w.table {
		return w.enc.Encode(r)
	}
	dst := r.DstIP
	if dst != "" {
		dst += ":" + strconv.Itoa(r.DstPort)
	}
	pid := ""
	if r.PID != 0 {
		pid = strconv.Itoa(r.PID)
	}
	_, err := fmt.Fprintf(w.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		o.Time.UTC().Format(time.RFC3339), r.Source, dash(r.Domain), dash(r.Service), dash(r.Vendor),
		dash(r.Category), dash(r.SrcIP), dash(dst), dash(pid), dash(r.Process), dash(r.User))
	return err
}

// Flush writes out anything buffered.
func (w *Writer) Flush() error {
	if w.tw != nil {
		if err := w.tw.Flush(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

// dash is a table cell: "-" for nothing, and control characters (a
// process name is whatever a local user made it: escapes, tabs, newlines)
// shown as '?', so no cell can forge a column or a row or drive the
// terminal.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
