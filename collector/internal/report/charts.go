package report

import (
	"fmt"
	"math"
	"strings"
)

// Chart geometry is computed here; the template only places it, and
// html/template escapes every label.

// Bar is one bar of the usage chart.
type Bar struct {
	Label, Value, Color, Policy string
	New                         bool
	Y, W                        float64
}

// BarChart is the usage-by-service chart.
type BarChart struct {
	Bars          []Bar
	Height, Width float64
	LabelW        float64
}

var policyColor = map[string]string{"unsanctioned": "#c0392b", "under-review": "#d68910", "sanctioned": "#1e8449"}

const (
	barRow     = 26.0
	barChartW  = 720.0
	barLabelW  = 210.0
	barValueW  = 70.0
	maxBars    = 12
	trendW     = 720.0
	trendH     = 240.0
	trendPadL  = 48.0
	trendPadR  = 150.0
	trendPadTB = 24.0
)

func usageChart(svcs []Service) BarChart {
	svcs = topServices(svcs, maxBars)
	c := BarChart{Width: barChartW, LabelW: barLabelW, Height: float64(len(svcs))*barRow + 8}
	var top uint64 = 1
	for _, s := range svcs {
		top = max(top, s.Hosts)
	}
	span := barChartW - barLabelW - barValueW
	for i, s := range svcs {
		c.Bars = append(c.Bars, Bar{Label: clip(s.Name, 30), Value: plural(s.Hosts, "host"), Color: policyColor[s.Policy],
			Policy: s.Policy, New: s.New, Y: float64(i) * barRow, W: math.Max(2, span*float64(s.Hosts)/float64(top))})
	}
	return c
}

// Line is one series of the trend chart, as an SVG polyline.
type Line struct {
	Name, Color, Points string
	Width               float64
	LabelY              float64
	Last                string
}

// Tick is a labelled position on an axis.
type Tick struct {
	Label string
	X, Y  float64
}

// TrendChart is the 8-week chart of hosts using AI.
type TrendChart struct {
	Width, Height, Left, Right, Bottom float64
	Area                               string
	Lines                              []Line
	XTicks, YTicks                     []Tick
}

var seriesColors = []string{"#2e86c1", "#8e44ad", "#16a085", "#d35400", "#7f8c8d"}

func trendChart(r *Report) TrendChart {
	c := TrendChart{Width: trendW, Height: trendH, Left: trendPadL, Right: trendW - trendPadR, Bottom: trendH - trendPadTB}
	var top uint64 = 1
	for _, p := range r.Trend {
		top = max(top, p.Hosts)
	}
	top = niceCeil(top)
	x := func(i int) float64 { return c.Left + (c.Right-c.Left)*float64(i)/float64(max(1, len(r.Trend)-1)) }
	y := func(v uint64) float64 { return c.Bottom - (c.Bottom-trendPadTB)*float64(v)/float64(top) }
	total := make([]uint64, len(r.Trend))
	for i, p := range r.Trend {
		total[i] = p.Hosts
		c.XTicks = append(c.XTicks, Tick{Label: "W" + p.Week[len(p.Week)-2:], X: x(i), Y: c.Bottom + 16})
	}
	for i := 0; i <= 4; i++ {
		v := top * uint64(i) / 4
		c.YTicks = append(c.YTicks, Tick{Label: fmt.Sprint(v), X: c.Left - 6, Y: y(v)})
	}
	all := polyline(total, x, y)
	c.Area = fmt.Sprintf("%.1f,%.1f %s %.1f,%.1f", x(0), c.Bottom, all, x(len(total)-1), c.Bottom)
	c.Lines = append(c.Lines, Line{Name: "All AI services", Color: "#1b2631", Points: all, Width: 3, Last: fmt.Sprint(last(total))})
	for i, s := range r.Series {
		c.Lines = append(c.Lines, Line{Name: clip(s.Name, 18), Color: seriesColors[i%len(seriesColors)], Points: polyline(s.Hosts, x, y),
			Width: 1.8, Last: fmt.Sprint(last(s.Hosts))})
	}
	for i := range c.Lines {
		c.Lines[i].LabelY = trendPadTB + 8 + float64(i)*20
	}
	return c
}

func polyline(vs []uint64, x func(int) float64, y func(uint64) float64) string {
	var b strings.Builder
	for i, v := range vs {
		fmt.Fprintf(&b, "%.1f,%.1f ", x(i), y(v))
	}
	return strings.TrimSpace(b.String())
}

func last(vs []uint64) uint64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1]
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v uint64) uint64 {
	p := uint64(1)
	for {
		for _, m := range []uint64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
		p *= 10
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func plural(n uint64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
