package cli

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/shadowai/shadowai/agent/internal/catalogsync"
	"github.com/shadowai/shadowai/signatures"
)

// classification is one line of `classify` output.
type classification struct {
	Domain   string `json:"domain"`
	Service  string `json:"service"`
	Name     string `json:"name"`
	Vendor   string `json:"vendor"`
	Category string `json:"category"`
	Risk     int    `json:"risk"`
}

func classify(e env, args []string) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	format := fs.String("format", "table", "output format: jsonl or table")
	state := fs.String("state", "", "use the signature catalog this agent state directory runs (its last accepted bundle) instead of the embedded one")
	if err := parseFlags(e, fs, args, true); err != nil {
		return err
	}
	if err := checkFormat(*format, "jsonl", "table"); err != nil {
		return err
	}
	cat, err := signatures.Embedded()
	if *state != "" {
		var live *signatures.Live
		live, err = catalogsync.Load(*state, e.log())
		if live != nil {
			cat = live.Catalog()
		}
	}
	if err != nil {
		return fmt.Errorf("loading signature catalog: %w", err)
	}
	names := fs.Args()
	if len(names) == 0 {
		sc := bufio.NewScanner(e.stdin)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			if n := strings.TrimSpace(sc.Text()); n != "" && !strings.HasPrefix(n, "#") {
				names = append(names, n)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("reading names from stdin: %w", err)
		}
	}
	return writeClassifications(e, *format, cat, names)
}

func writeClassifications(e env, format string, cat *signatures.Catalog, names []string) error {
	enc := json.NewEncoder(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	if format == "table" {
		fmt.Fprintln(tw, "DOMAIN\tSERVICE\tVENDOR\tCATEGORY\tRISK")
	}
	for _, n := range names {
		c := classification{Domain: n}
		if s := cat.MatchDomain(n); s != nil {
			c.Service, c.Name, c.Vendor, c.Category, c.Risk = s.ID, s.Name, s.Vendor, s.Category, s.Risk
		}
		if format == "jsonl" {
			if err := enc.Encode(c); err != nil {
				return err
			}
			continue
		}
		risk := "-"
		if c.Service != "" {
			risk = fmt.Sprint(c.Risk)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Domain, dash(c.Service), dash(c.Vendor), dash(c.Category), risk)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
