// Package report builds the weekly shadow-AI report: what AI services the
// fleet used in an ISO week, what is new, who uses what nobody
// sanctioned, an 8-week trend and a risk-weighted ranking; it renders it
// as a self-contained HTML page with inline SVG charts, Markdown, CSV and
// JSON, and delivers it by mail and webhook.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/store"
)

// TrendWeeks is how many weeks the trend covers, ending with the report's.
const TrendWeeks = 8

// topN bounds every ranked list.
const topN = 10

// Report is everything the renderings show. JSON field names are a public
// contract (report.json).
type Report struct {
	Week        string    `json:"week"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Span        string    `json:"span"`
	GeneratedAt time.Time `json:"generated_at"`
	Totals      Totals    `json:"totals"`
	Services    []Service `json:"services"`
	New         []Service `json:"new_services"`
	// Starters are the users who began using a service this week.
	Starters []Starter `json:"starters"`
	Trend    []Point   `json:"trend"`
	TopUsers []Top     `json:"top_unsanctioned_users"`
	TopHosts []Top     `json:"top_unsanctioned_hosts"`
	Ranking  []Service `json:"risk_ranking"`
	Coverage Coverage  `json:"coverage"`
	Series   []Series  `json:"trend_by_service"`
	Policies []PolicyN `json:"policies"`
}

// Totals are the week's headline numbers.
type Totals struct {
	Services      int    `json:"services"`
	Hosts         uint64 `json:"hosts"`
	Users         uint64 `json:"users"`
	Observations  uint64 `json:"observations"`
	NotSanctioned int    `json:"not_sanctioned_services"`
	NewServices   int    `json:"new_services"`
	HostsDelta    int64  `json:"hosts_change"`
	PrevHosts     uint64 `json:"previous_week_hosts"`
}

// Service is one AI service's use in the week.
type Service struct {
	ID        string    `json:"service"`
	Name      string    `json:"name"`
	Vendor    string    `json:"vendor"`
	Category  string    `json:"category"`
	Risk      int       `json:"risk"`
	Policy    string    `json:"policy"`
	Hosts     uint64    `json:"hosts"`
	Users     uint64    `json:"users"`
	Count     uint64    `json:"count"`
	PrevHosts uint64    `json:"previous_week_hosts"`
	New       bool      `json:"new"`
	Score     float64   `json:"risk_score"`
	FirstSeen time.Time `json:"first_seen"`
}

// Starter is a user (or, without one, a host) that began using a service.
type Starter struct {
	Service string    `json:"service"`
	User    string    `json:"user"`
	Host    string    `json:"host"`
	First   time.Time `json:"first_seen"`
}

// Point is one week of the trend.
type Point struct {
	Week  string `json:"week"`
	Hosts uint64 `json:"hosts"`
	Users uint64 `json:"users"`
	Count uint64 `json:"count"`
}

// Series is one service's hosts per week over the trend.
type Series struct {
	Service string   `json:"service"`
	Name    string   `json:"name"`
	Hosts   []uint64 `json:"hosts"`
}

// Top is a user or host ranked by use of services nobody sanctioned.
type Top struct {
	Name     string   `json:"name"`
	Services []string `json:"services"`
	Hosts    uint64   `json:"hosts"`
	Users    uint64   `json:"users"`
	Count    uint64   `json:"count"`
}

// Coverage says how much of the fleet the report can speak for.
type Coverage struct {
	Endpoints int `json:"endpoints"`
	Silent    int `json:"silent"`
	Degraded  int `json:"degraded"`
	Revoked   int `json:"revoked"`
}

// PolicyN counts the week's services per policy.
type PolicyN struct {
	Policy   string `json:"policy"`
	Services int    `json:"services"`
}

// Builder gathers a report from the inventory.
type Builder struct {
	Inv         *inventory.Inventory
	SilentAfter time.Duration
	Now         func() time.Time
}

// Build gathers the report of week w.
func (b *Builder) Build(ctx context.Context, w Week) (*Report, error) {
	now := time.Now()
	if b.Now != nil {
		now = b.Now()
	}
	r := &Report{Week: w.String(), From: w.Start(), To: w.End(), Span: w.Span(), GeneratedAt: now.UTC()}
	steps := []func(context.Context, *Report, Week) error{b.services, b.newOnes, b.trend, b.tops, b.coverage}
	for _, step := range steps {
		if err := step(ctx, r, w); err != nil {
			return nil, fmt.Errorf("building the report of %s: %w", w, err)
		}
	}
	r.rank()
	return r, nil
}

func (b *Builder) week(ctx context.Context, w Week, f inventory.Filter) ([]inventory.Row, error) {
	f.Since, f.Until = w.Start(), w.End()
	res, err := b.Inv.Run(ctx, f)
	return res.Rows, err
}

func (b *Builder) services(ctx context.Context, r *Report, w Week) error {
	rows, err := b.week(ctx, w, inventory.Filter{})
	if err != nil {
		return err
	}
	prev, err := b.week(ctx, w.Minus(1), inventory.Filter{})
	if err != nil {
		return err
	}
	prevHosts := map[string]uint64{}
	for _, p := range prev {
		prevHosts[p.Service] = p.Hosts
	}
	for _, x := range rows {
		first, _ := time.Parse(time.RFC3339, x.FirstSeen)
		r.Services = append(r.Services, Service{ID: x.Service, Name: nameOf(x), Vendor: x.Vendor, Category: x.Category,
			Risk: x.Risk, Policy: x.Policy, Hosts: x.Hosts, Users: x.Users, Count: x.Count, PrevHosts: prevHosts[x.Service], FirstSeen: first})
	}
	return b.totals(ctx, r, w)
}

func nameOf(x inventory.Row) string {
	if x.Name != "" {
		return x.Name
	}
	return x.Service
}

func (b *Builder) totals(ctx context.Context, r *Report, w Week) error {
	pts, err := b.Inv.Store.WeeklyTrend(ctx, w.Minus(1).Day(), 2)
	if err != nil {
		return err
	}
	for _, p := range pts {
		switch {
		case p.Service != "":
		case p.Week == 1:
			r.Totals.Hosts, r.Totals.Users, r.Totals.Observations = p.Hosts, p.Users, p.Count
		case p.Week == 0:
			r.Totals.PrevHosts = p.Hosts
		}
	}
	r.Totals.HostsDelta = int64(r.Totals.Hosts) - int64(r.Totals.PrevHosts)
	r.Totals.Services = len(r.Services)
	counts := map[string]int{}
	for _, s := range r.Services {
		counts[s.Policy]++
		if s.Policy != store.Sanctioned {
			r.Totals.NotSanctioned++
		}
	}
	for _, p := range []string{store.Unsanctioned, store.UnderReview, store.Sanctioned} {
		r.Policies = append(r.Policies, PolicyN{p, counts[p]})
	}
	return nil
}

func (b *Builder) newOnes(ctx context.Context, r *Report, w Week) error {
	rows, err := b.week(ctx, w, inventory.Filter{New: true})
	if err != nil {
		return err
	}
	isNew := map[string]bool{}
	for _, x := range rows {
		isNew[x.Service] = true
	}
	for i := range r.Services {
		if isNew[r.Services[i].ID] {
			r.Services[i].New = true
			r.New = append(r.New, r.Services[i])
		}
	}
	r.Totals.NewServices = len(r.New)
	starters, err := b.week(ctx, w, inventory.Filter{New: true, By: "user"})
	if err != nil {
		return err
	}
	for _, x := range starters {
		first, _ := time.Parse(time.RFC3339, x.FirstSeen)
		r.Starters = append(r.Starters, Starter{Service: x.Service, User: x.User, First: first})
	}
	slices.SortStableFunc(r.Starters, func(a, b Starter) int { return a.First.Compare(b.First) })
	if len(r.Starters) > 10*topN {
		r.Starters = r.Starters[:10*topN]
	}
	return nil
}

func (b *Builder) trend(ctx context.Context, r *Report, w Week) error {
	first := w.Minus(TrendWeeks - 1)
	pts, err := b.Inv.Store.WeeklyTrend(ctx, first.Day(), TrendWeeks)
	if err != nil {
		return err
	}
	r.Trend = make([]Point, TrendWeeks)
	for i := range r.Trend {
		r.Trend[i].Week = first.Minus(-i).String()
	}
	top := topServices(r.Services, 5)
	series := map[string]*Series{}
	for _, s := range top {
		r.Series = append(r.Series, Series{Service: s.ID, Name: s.Name, Hosts: make([]uint64, TrendWeeks)})
	}
	for i := range r.Series {
		series[r.Series[i].Service] = &r.Series[i]
	}
	for _, p := range pts {
		if p.Week < 0 || p.Week >= TrendWeeks {
			continue
		}
		if p.Service == "" {
			r.Trend[p.Week].Hosts, r.Trend[p.Week].Users, r.Trend[p.Week].Count = p.Hosts, p.Users, p.Count
		} else if s := series[p.Service]; s != nil {
			s.Hosts[p.Week] = p.Hosts
		}
	}
	return nil
}

func topServices(svcs []Service, n int) []Service {
	out := slices.Clone(svcs)
	slices.SortStableFunc(out, func(a, b Service) int { return cmp.Compare(b.Hosts, a.Hosts) })
	return out[:min(n, len(out))]
}

func (b *Builder) tops(ctx context.Context, r *Report, w Week) error {
	pol, err := b.Inv.Policies(ctx)
	if err != nil {
		return err
	}
	q := store.Query{From: w.Day(), To: w.Day() + 7, Exclude: pol.Sanctioned()}
	users, err := b.Inv.Store.TopBy(ctx, q, "user", topN)
	if err != nil {
		return err
	}
	hosts, err := b.Inv.Store.TopBy(ctx, q, "host", topN)
	if err != nil {
		return err
	}
	for _, u := range users {
		r.TopUsers = append(r.TopUsers, Top{Name: u.Key, Services: u.Services, Hosts: u.Hosts, Users: u.Users, Count: u.Count})
	}
	for _, h := range hosts {
		r.TopHosts = append(r.TopHosts, Top{Name: h.Hostname, Services: h.Services, Hosts: h.Hosts, Users: h.Users, Count: h.Count})
	}
	return nil
}

func (b *Builder) coverage(ctx context.Context, r *Report, _ Week) error {
	eps, err := inventory.Endpoints(ctx, b.Inv.Store, b.SilentAfter, r.GeneratedAt)
	if err != nil {
		return err
	}
	r.Coverage.Endpoints = len(eps)
	for _, e := range eps {
		switch e.Status {
		case "silent":
			r.Coverage.Silent++
		case "degraded":
			r.Coverage.Degraded++
		case "revoked":
			r.Coverage.Revoked++
		}
	}
	return nil
}

// nameOf is a service's display name.
func (r *Report) nameOf(id string) string {
	for _, s := range r.Services {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

// policyWeight scales risk by how far a service is from being allowed.
var policyWeight = map[string]float64{store.Unsanctioned: 1, store.UnderReview: 0.5, store.Sanctioned: 0.1}

// rank scores each service: catalog risk × hosts this week × policy weight.
func (r *Report) rank() {
	for _, svcs := range [][]Service{r.Services, r.New} {
		for i := range svcs {
			s := &svcs[i]
			s.Score = float64(s.Risk) * float64(s.Hosts) * policyWeight[s.Policy]
		}
	}
	r.Ranking = slices.Clone(r.Services)
	slices.SortStableFunc(r.Ranking, func(a, b Service) int { return cmp.Compare(b.Score, a.Score) })
	r.Ranking = r.Ranking[:min(topN, len(r.Ranking))]
}
