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
// contract.
type Row struct {
	Service   string `json:"service"`
	Name      string `json:"name"`
	Vendor    string `json:"vendor"`
	Category  string `json:"category"`
	Risk      int    `json:"risk"`
	Hosts     uint64 `json:"hosts"`
	Users     uint64 `json:"users"`
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
	Count     uint64 `json:"count"`
}

func toRows(in []store.InventoryRow) []Row {
	out := make([]Row, 0, len(in))
	for _, r := range in {
		out = append(out, Row{
			Service: r.Service, Name: r.Name, Vendor: r.Vendor, Category: r.Category, Risk: r.Risk,
			Hosts: r.Hosts, Users: r.Users, Count: r.Count,
			FirstSeen: r.FirstSeen.UTC().Format(time.RFC3339), LastSeen: r.LastSeen.UTC().Format(time.RFC3339),
		})
	}
	return out
}

// Write renders rows as "table", "json" or "csv".
func Write(w io.Writer, format string, in []store.InventoryRow) error {
	rows := toRows(in)
	switch format {
	case "table":
		return writeTable(w, rows)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		return writeCSV(w, rows)
	}
	return fmt.Errorf("unknown format %q: use table, json or csv", format)
}

func writeTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tVENDOR\tCATEGORY\tRISK\tHOSTS\tUSERS\tFIRST_SEEN\tLAST_SEEN\tCOUNT")
	var total uint64
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%d\n", r.Service, r.Vendor, r.Category, r.Risk,
			r.Hosts, r.Users, r.FirstSeen, r.LastSeen, r.Count)
		total += r.Count
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d AI services, %d observations\n", len(rows), total)
	return err
}

func writeCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"service", "name", "vendor", "category", "risk", "hosts", "users", "first_seen", "last_seen", "count"})
	for _, r := range rows {
		cw.Write([]string{cell(r.Service), cell(r.Name), cell(r.Vendor), cell(r.Category), strconv.Itoa(r.Risk),
			strconv.FormatUint(r.Hosts, 10), strconv.FormatUint(r.Users, 10), r.FirstSeen, r.LastSeen,
			strconv.FormatUint(r.Count, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses spreadsheet formulas: a cell starting with = + - @ is
// prefixed with a quote (OWASP CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
