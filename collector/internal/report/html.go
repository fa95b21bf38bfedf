package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/shadowai/shadowai/signatures"
)

//go:embed report.html.tmpl
var htmlTemplate string

// page is what the HTML template sees: the report and the geometry of its
// charts.
type page struct {
	R          *Report
	Generated  string
	HostsDelta string
	Highlights []string
	Usage      BarChart
	Trend      TrendChart
	MaxScore   float64
	Starters   []StarterGroup
}

// StarterGroup is who began using one service this week.
type StarterGroup struct {
	Service string
	Users   []string
	More    int
}

// Names turns service ids into their names, joined for a table cell.
func (p page) Names(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = p.R.nameOf(id)
	}
	return strings.Join(names, ", ")
}

func startersByService(r *Report) []StarterGroup {
	var out []StarterGroup
	at := map[string]int{}
	for _, s := range r.Starters {
		i, ok := at[s.Service]
		if !ok {
			i = len(out)
			at[s.Service] = i
			out = append(out, StarterGroup{Service: r.nameOf(s.Service)})
		}
		if len(out[i].Users) < 6 {
			out[i].Users = append(out[i].Users, s.User)
		} else {
			out[i].More++
		}
	}
	return out
}

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"plus":     func(a, b float64) float64 { return a + b },
	"minus":    func(a, b float64) float64 { return b - a },
	"policy":   policyLabel,
	"category": signatures.CategoryLabel,
	"join":     func(s []string) string { return strings.Join(s, ", ") },
	"day":      func(t time.Time) string { return t.UTC().Format("Mon 2 Jan") },
	"inc":      func(i int) int { return i + 1 },
	"score":    func(f float64) string { return fmt.Sprintf("%.0f", f) },
	"pct":      func(v, top float64) string { return fmt.Sprintf("%.1f", 100*v/max(top, 1)) },
	"delta":    func(now, prev uint64) string { return signedNum(int64(now) - int64(prev)) },
}).Parse(htmlTemplate))

// WriteHTML renders the self-contained HTML page: inline CSS and SVG, no
// script, nothing fetched.
func (r *Report) WriteHTML(w io.Writer) error {
	p := page{R: r, Generated: r.GeneratedAt.Format("2006-01-02 15:04 UTC"), HostsDelta: signedNum(r.Totals.HostsDelta),
		Highlights: r.Highlights(func(s string) string { return s }), Usage: usageChart(r.Services), Trend: trendChart(r),
		Starters: startersByService(r)}
	for _, s := range r.Ranking {
		p.MaxScore = max(p.MaxScore, s.Score)
	}
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("rendering report.html: %w", err)
	}
	return nil
}

func signedNum(n int64) string {
	switch {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprintf("−%d", -n)
	}
	return "±0"
}
