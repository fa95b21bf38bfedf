package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/renameio/v2/maybe"

	"github.com/shadowai/shadowai/collector/internal/inventory"

	"github.com/shadowai/shadowai/signatures"
)

// Files are the renderings a report directory holds.
var Files = []string{"report.html", "report.md", "report.csv", "report.json"}

// WriteDir writes every rendering into dir, each file atomically.
func (r *Report) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating report directory: %w", err)
	}
	writers := []func(io.Writer) error{r.WriteHTML, r.WriteMarkdown, r.WriteCSV, r.WriteJSON}
	for i, name := range Files {
		var b strings.Builder
		if err := writers[i](&b); err != nil {
			return err
		}
		if err := maybe.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// WriteJSON writes report.json.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes one row per service used in the week (report.csv).
func (r *Report) WriteCSV(w io.Writer) error {
	rows := [][]string{{"week", "service", "name", "vendor", "category", "policy", "risk", "hosts", "users", "count",
		"previous_week_hosts", "new", "risk_score"}}
	for _, s := range r.Services {
		rows = append(rows, []string{r.Week, inventory.Cell(s.ID), inventory.Cell(s.Name), inventory.Cell(s.Vendor),
			inventory.Cell(s.Category), s.Policy, strconv.Itoa(s.Risk), u(s.Hosts), u(s.Users), u(s.Count),
			u(s.PrevHosts), strconv.FormatBool(s.New), strconv.FormatFloat(s.Score, 'f', 0, 64)})
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("writing report.csv: %w", err)
	}
	return nil
}

func u(n uint64) string { return strconv.FormatUint(n, 10) }

// WriteMarkdown writes report.md: the same sections as the HTML, as
// tables a chat or ticket system renders.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# Shadow AI report, week %s (%s, UTC)\n\n", r.Week, r.Span)
	for _, h := range r.Highlights(md) {
		fmt.Fprintf(b, "- %s\n", h)
	}
	fmt.Fprintf(b, "\n| AI services | not sanctioned | new | hosts | users | observations |\n|---:|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d (%s) | %d | %d |\n",
		r.Totals.Services, r.Totals.NotSanctioned, r.Totals.NewServices, r.Totals.Hosts, signedNum(r.Totals.HostsDelta), r.Totals.Users, r.Totals.Observations)
	r.mdServices(b, "Usage by service", r.Services)
	r.mdServices(b, "New AI tools this week", r.New)
	mdTops(b, "Top users of tools not sanctioned", "user", r.TopUsers)
	mdTops(b, "Top hosts of tools not sanctioned", "host", r.TopHosts)
	r.mdTrend(b)
	r.mdServices(b, "Risk-weighted ranking", r.Ranking)
	b.WriteString("\nScore = catalog risk (0–100) × hosts this week × policy weight (unsanctioned 1, under review 0.5, sanctioned 0.1).\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) mdServices(b *strings.Builder, title string, svcs []Service) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if len(svcs) == 0 {
		b.WriteString("None.\n")
		return
	}
	b.WriteString("| service | vendor | category | policy | risk | hosts | users | observations | score |\n|---|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, s := range svcs {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | %d | %d | %d | %.0f |\n", md(s.Name), md(s.Vendor), md(signatures.CategoryLabel(s.Category)),
			policyLabel(s.Policy), s.Risk, s.Hosts, s.Users, s.Count, s.Score)
	}
}

func mdTops(b *strings.Builder, title, key string, tops []Top) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if len(tops) == 0 {
		b.WriteString("None.\n")
		return
	}
	fmt.Fprintf(b, "| %s | services | observations |\n|---|---|---:|\n", key)
	for _, t := range tops {
		fmt.Fprintf(b, "| %s | %s | %d |\n", md(t.Name), md(strings.Join(t.Services, ", ")), t.Count)
	}
}

func (r *Report) mdTrend(b *strings.Builder) {
	b.WriteString("\n## 8-week trend\n\n| week | hosts | users | observations |\n|---|---:|---:|---:|\n")
	for _, p := range r.Trend {
		fmt.Fprintf(b, "| %s | %d | %d | %d |\n", p.Week, p.Hosts, p.Users, p.Count)
	}
}

// mdSpecial are the characters that change meaning in Markdown (and
// '<' '>' '&' that a renderer might take as HTML).
var mdEscaper = strings.NewReplacer(
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "{", "\\{", "}", "\\}", "[", "\\[", "]", "\\]",
	"(", "\\(", ")", "\\)", "#", "\\#", "+", "\\+", "!", "\\!", "|", "\\|", "~", "\\~",
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "\n", " ", "\r", " ",
)

// md escapes an agent-supplied string for Markdown text and table cells.
func md(s string) string { return mdEscaper.Replace(inventory.Terminal(s)) }
