package inventory

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// Row is the rendering of one inventory row; the field names are a public
// contract (CLI json/csv, HTTP API).
type Row struct {
	Service   string `json:"service"`
	Name      string `json:"name"`
	Vendor    string `json:"vendor"`
	Category  string `json:"category"`
	Risk      int    `json:"risk"`
	Policy    string `json:"policy"`
	Host      string `json:"host,omitempty"`
	HostID    string `json:"host_id,omitempty"`
	User      string `json:"user,omitempty"`
	Hosts     uint64 `json:"hosts"`
	Users     uint64 `json:"users"`
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
	Count     uint64 `json:"count"`
}

// toRow renders r; buf is scratch space, returned for the next row.
func toRow(r *store.Row, pol Policies, buf []byte) (Row, []byte) {
	// Both times formatted into one string: one allocation a row.
	buf = r.FirstSeen.UTC().AppendFormat(buf[:0], time.RFC3339)
	mid := len(buf)
	buf = r.LastSeen.UTC().AppendFormat(buf, time.RFC3339)
	times := string(buf)
	return Row{
		Service: r.Service, Name: r.Name, Vendor: r.Vendor, Category: r.Category, Risk: r.Risk,
		Policy: pol.Of(r.Service, r.Category), Host: r.Hostname, HostID: r.HostID, User: r.User,
		Hosts: r.Hosts, Users: r.Users, Count: r.Count, FirstSeen: times[:mid], LastSeen: times[mid:],
	}, buf
}

// Formats are the renderings Write knows.
var Formats = []string{"table", "json", "csv"}

// Write renders a result as "table", "json" or "csv". by decides the
// table's key columns.
func Write(w io.Writer, format, by string, res Result) error {
	switch format {
	case "table":
		return writeTable(w, by, res)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(nonNil(res.Rows))
	case "csv":
		return writeCSV(w, res.Rows)
	}
	return fmt.Errorf("unknown format %q: use table, json or csv", format)
}

func nonNil(rows []Row) []Row {
	if rows == nil {
		return []Row{}
	}
	return rows
}

func writeTable(w io.Writer, by string, res Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	key := map[string]string{"host": "HOST\t", "user": "USER\t"}[by]
	fmt.Fprintln(tw, key+"SERVICE\tVENDOR\tCATEGORY\tRISK\tPOLICY\tHOSTS\tUSERS\tFIRST_SEEN\tLAST_SEEN\tCOUNT")
	var total uint64
	for _, r := range res.Rows {
		k := map[string]string{"host": Terminal(r.Host) + "\t", "user": Terminal(r.User) + "\t"}[by]
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%d\n", k, Terminal(r.Service), Terminal(r.Vendor),
			Terminal(r.Category), r.Risk, r.Policy, r.Hosts, r.Users, r.FirstSeen, r.LastSeen, r.Count)
		total += r.Count
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	what := map[string]string{"host": "service-host pairs", "user": "service-user pairs"}[by]
	if what == "" {
		what = "AI services"
	}
	_, err := fmt.Fprintf(w, "%d %s, %d observations, %s\n", len(res.Rows), what, total, windowText(res.Since, res.Until))
	return err
}

func windowText(since, until time.Time) string {
	switch {
	case since.IsZero() && until.IsZero():
		return "all time"
	case until.IsZero():
		return "since " + since.UTC().Format("2006-01-02") + " (UTC days)"
	case since.IsZero():
		return "before " + until.UTC().Format("2006-01-02") + " (UTC days)"
	}
	return since.UTC().Format("2006-01-02") + " to " + until.UTC().Format("2006-01-02") + " exclusive (UTC days)"
}

var csvHeader = []string{"service", "name", "vendor", "category", "risk", "policy", "host", "host_id", "user",
	"hosts", "users", "first_seen", "last_seen", "count"}

func writeCSV(w io.Writer, rows []Row) error {
	out := [][]string{csvHeader}
	for _, r := range rows {
		out = append(out, []string{Cell(r.Service), Cell(r.Name), Cell(r.Vendor), Cell(r.Category), strconv.Itoa(r.Risk),
			r.Policy, Cell(r.Host), Cell(r.HostID), Cell(r.User),
			strconv.FormatUint(r.Hosts, 10), strconv.FormatUint(r.Users, 10), r.FirstSeen, r.LastSeen,
			strconv.FormatUint(r.Count, 10)})
	}
	return writeCSVRows(w, out)
}

func writeCSVRows(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return nil
}

// Cell defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or carriage return) is prefixed with a quote (OWASP CSV injection).
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Terminal makes an agent-supplied string safe to print on a terminal:
// control characters (escape sequences, newlines) are shown as \x.. .
func Terminal(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
