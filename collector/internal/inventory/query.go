package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shadowai/shadowai/collector/internal/config"
	"github.com/shadowai/shadowai/collector/internal/store"
)

// Filter is an inventory question as an admin asks it, from the CLI, the
// HTTP API or gRPC.
type Filter struct {
	// Since and Until bound the window; zero means open. They are whole UTC
	// days (see ParseSince).
	Since, Until                          time.Time
	Service, Vendor, Category, Host, User string
	// Unsanctioned keeps services nobody sanctioned: unsanctioned and
	// under review.
	Unsanctioned bool
	// New keeps what was first seen inside the window.
	New   bool
	By    string
	Limit int
}

// maxFilterValue bounds every string a filter carries.
const maxFilterValue = 256

// Check says what is wrong with a filter, in words an admin can act on.
func (f Filter) Check() error {
	if f.By != "" && f.By != "service" && f.By != "host" && f.By != "user" {
		return fmt.Errorf("--by %q: use service, host or user", f.By)
	}
	for name, v := range map[string]string{"service": f.Service, "vendor": f.Vendor, "category": f.Category, "host": f.Host, "user": f.User} {
		if len(v) > maxFilterValue {
			return fmt.Errorf("--%s is longer than %d bytes", name, maxFilterValue)
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return errors.New("--until must be after --since")
	}
	if f.New && f.Since.IsZero() {
		return errors.New("--new needs --since: it keeps what was first seen inside the window")
	}
	if f.Limit < 0 {
		return errors.New("--limit must not be negative")
	}
	return nil
}

// Result is a query's rows and the window it covered.
type Result struct {
	Since, Until time.Time
	Rows         []Row
}

// Inventory answers queries with the store and the policy configuration.
type Inventory struct {
	Store  *store.Store
	Policy config.Policy
}

// Run answers a filter.
func (inv *Inventory) Run(ctx context.Context, f Filter) (Result, error) {
	if err := f.Check(); err != nil {
		return Result{}, err
	}
	q := store.Query{Service: f.Service, Vendor: f.Vendor, Category: f.Category, Host: f.Host, User: f.User,
		NewOnly: f.New, By: f.By, Limit: f.Limit}
	if !f.Since.IsZero() {
		q.From = store.DayOf(f.Since)
	}
	if !f.Until.IsZero() {
		q.To = store.DayOf(ceilDay(f.Until))
	}
	pol, err := inv.Policies(ctx)
	if err != nil {
		return Result{}, err
	}
	if f.Unsanctioned {
		q.Exclude = pol.Sanctioned()
	}
	var rows []Row
	var buf []byte
	err = inv.Store.QueryEach(ctx, q, func(i, n int, r *store.Row) {
		if rows == nil {
			rows = make([]Row, 0, n)
		}
		var row Row
		row, buf = toRow(r, pol, buf)
		rows = append(rows, row)
	})
	if err != nil {
		return Result{}, err
	}
	if rows == nil {
		rows = []Row{}
	}
	return Result{Since: f.Since, Until: f.Until, Rows: rows}, nil
}

// Policies is every known service's effective policy.
type Policies struct {
	effective map[string]string
	cfg       config.Policy
}

// Of is the effective policy of a service; category is used for services
// the store does not know.
func (p Policies) Of(service, category string) string {
	if v, ok := p.effective[service]; ok {
		return v
	}
	return p.cfg.For("", category)
}

// Sanctioned lists the sanctioned services (never empty, so it can be
// used as an exclusion list).
func (p Policies) Sanctioned() []string {
	var out []string
	for svc, pol := range p.effective {
		if pol == store.Sanctioned {
			out = append(out, svc)
		}
	}
	slices.Sort(out)
	// Never empty: an empty exclusion list would read as "no filter".
	return append(out, "\x00none")
}

// Policies resolves the effective policy of every service the store knows
// or has seen: set explicitly, else its category's default.
func (inv *Inventory) Policies(ctx context.Context) (Policies, error) {
	explicit, err := inv.Store.Policies(ctx)
	if err != nil {
		return Policies{}, err
	}
	svcs, err := inv.Store.Services(ctx)
	if err != nil {
		return Policies{}, err
	}
	seen, err := inv.Store.SeenServices(ctx)
	if err != nil {
		return Policies{}, err
	}
	out := Policies{effective: map[string]string{}, cfg: inv.Policy}
	for _, id := range seen {
		out.effective[id] = inv.Policy.For(explicit[id], "")
	}
	for _, v := range svcs {
		out.effective[v.ID] = inv.Policy.For(explicit[v.ID], v.Category)
	}
	return out, nil
}
