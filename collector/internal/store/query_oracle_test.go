package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	gocmp "github.com/google/go-cmp/cmp"
)

// oracleFixture ingests a small fleet with the shapes the day blocks must
// get right: more than one block of hosts, hosts with several users,
// users on several hosts, sightings without a user, hosts without an
// agent, a hostname shared by two hosts, and late sightings.
func oracleFixture(t *testing.T) *Store {
	t.Helper()
	st := openTest(t)
	enrollTest(t, st, "agt-dup", "host-0007", "shared-name")
	enrollTest(t, st, "agt-dup2", "host-0300", "Shared-Name")
	enrollTest(t, st, "agt-new", "host-0001", "renamed-0001")
	rng := rand.New(rand.NewPCG(6, 1))
	svcs := []string{"chatgpt", "claude", "copilot", "gemini", "ollama"}
	var pending []*Pending
	for batch := 0; batch < 20; batch++ {
		var xs []Sighting
		for i := 0; i < 250; i++ {
			host := rng.IntN(600)
			user := fmt.Sprintf("user-%02d", (host+rng.IntN(3))%45)
			if rng.IntN(10) == 0 {
				user = ""
			}
			at := day0.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
			x := sighting(svcs[(host/7+rng.IntN(2))%len(svcs)], user, at, uint64(1+rng.IntN(9)))
			x.HostID = fmt.Sprintf("host-%04d", host)
			if rng.IntN(50) == 0 {
				x.FirstSeen = at.Add(-30 * time.Hour) // began two days earlier
			}
			xs = append(xs, x)
		}
		if batch%3 == 0 { // a service and users that start in the last days
			at := day0.Add(16*24*time.Hour + time.Duration(rng.Int64N(int64(4*24*time.Hour))))
			x := sighting("deepseek", fmt.Sprintf("late-%d", batch%4), at, 2)
			x.HostID = fmt.Sprintf("host-%04d", rng.IntN(600))
			xs = append(xs, x)
		}
		p, err := st.IngestAsync(context.Background(), Batch{AgentID: "agt-1", Seq: uint64(batch + 1), Sightings: xs})
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, p)
	}
	for _, p := range pending {
		if _, err := p.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestMatchesOracle compares the day-block queries and rankings with a
// plain computation over the rollups table (a second copy of the same
// facts).
func TestMatchesOracle(t *testing.T) {
	st := oracleFixture(t)
	o := loadOracle(t, st)
	t.Run("Query", func(t *testing.T) { queryMatchesOracle(t, st, o) })
	t.Run("TopBy", func(t *testing.T) { topByMatchesOracle(t, st, o) })
	// Again with empty caches, reading whole tables of names.
	defer func(n int) { readAllNamesFrom = n }(readAllNamesFrom)
	readAllNamesFrom = 1
	st.names = numberNames{}
	t.Run("Query/names read whole", func(t *testing.T) { queryMatchesOracle(t, st, o) })
}

func queryMatchesOracle(t *testing.T, st *Store, o *oracle) {
	d := DayOf(day0)
	queries := []Query{
		{By: "user"}, {By: "host"}, {By: "user", From: d + 3, To: d + 10}, {By: "host", From: d + 12},
		{By: "host", Service: "claude", From: d + 2, To: d + 9}, {By: "user", Vendor: "anthropic"},
		{By: "host", Category: "CHAT_ASSISTANT", From: d + 5}, {By: "user", Exclude: []string{"chatgpt", "gemini"}},
		{Host: "host-0042"}, {Host: "shared-name"}, {By: "user", Host: "renamed-0001"}, {Host: "host-9999"},
		{User: "user-07"}, {By: "host", User: "user-11", From: d + 4}, {User: "nobody"}, {By: "user", User: ""},
		{By: "user", Host: "host-0300", User: "user-30"},
		{By: "user", From: d + 15, NewOnly: true}, {By: "host", From: d + 10, To: d + 14, NewOnly: true},
		{Host: "host-0100", From: d + 8, NewOnly: true}, {From: d + 15, To: d + 19, NewOnly: true, User: "late-1"}, {By: "user", From: d + 1, NewOnly: true, Service: "ollama"},
		{By: "user", Limit: 7}, {By: "host", Limit: 1, From: d + 19},
		{By: "user", From: d + 30}, {By: "host", Service: "x' OR 1=1 --"},
	}
	opt := cmpopts.EquateApproxTime(0)
	for _, q := range queries {
		t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
			got, err := st.Query(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			want := o.query(q)
			if reflect.DeepEqual(want, got) { // go-cmp takes long on 1,000 rows
				return
			}
			if diff := gocmp.Diff(want, got, opt, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rows (-oracle +store):\n%s", diff)
			}
		})
	}
}

func topByMatchesOracle(t *testing.T, st *Store, o *oracle) {
	d := DayOf(day0)
	for _, q := range []Query{{}, {From: d + 7, To: d + 14}, {Exclude: []string{"chatgpt"}}, {From: d + 15, NewOnly: true}, {Host: "shared-name"}} {
		for _, key := range []string{"user", "host"} {
			t.Run(fmt.Sprintf("%s %+v", key, q), func(t *testing.T) {
				got, err := st.TopBy(context.Background(), q, key, 12)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(o.top(q, key, 12), got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("ranking (-oracle +store):\n%s", diff)
				}
			})
		}
	}
}

// oracle holds every rollup row and what the filters need, and answers
// queries the slow, obvious way.
type oracle struct {
	facts     []oracleFact
	firsts    map[string]map[string]int64 // firstSeen by grouping
	meta      map[string]Row
	hostnames map[string]string   // newest agent's hostname per host id
	byName    map[string][]string // host ids per lower-case hostname
}

type oracleFact struct {
	day                 Day
	service, host, user string
	count, first, last  int64
}

func loadOracle(t *testing.T, st *Store) *oracle {
	t.Helper()
	ctx := context.Background()
	o := &oracle{hostnames: map[string]string{}, byName: map[string][]string{}}
	rows, err := st.r.QueryContext(ctx, "SELECT day, service, host_id, user, count, first_seen, last_seen FROM rollups")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f oracleFact
		if err := rows.Scan(&f.day, &f.service, &f.host, &f.user, &f.count, &f.first, &f.last); err != nil {
			t.Fatal(err)
		}
		o.facts = append(o.facts, f)
	}
	rows.Close()
	if o.meta, err = st.serviceMeta(ctx); err != nil {
		t.Fatal(err)
	}
	agents, err := st.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents { // oldest enrollment first: the newest wins
		o.hostnames[a.HostID] = a.Hostname
		o.byName[strings.ToLower(a.Hostname)] = append(o.byName[strings.ToLower(a.Hostname)], a.HostID)
	}
	return o
}

func (o *oracle) keeps(q Query, f oracleFact) bool {
	m := o.meta[f.service]
	return f.day >= q.From && (q.To <= q.From || f.day < q.To) &&
		(q.Service == "" || f.service == q.Service) &&
		(q.Vendor == "" || strings.EqualFold(m.Vendor, q.Vendor)) &&
		(q.Category == "" || strings.EqualFold(m.Category, q.Category)) &&
		(q.Host == "" || f.host == q.Host || slices.Contains(o.byName[strings.ToLower(q.Host)], f.host)) &&
		(q.User == "" || f.user == q.User) && !slices.Contains(q.Exclude, f.service)
}

// firstSeen is when each key of grouping by was first seen, over all
// facts.
func (o *oracle) firstSeen(by string, key func(oracleFact) string) map[string]int64 {
	if o.firsts == nil {
		o.firsts = map[string]map[string]int64{}
	}
	if m, ok := o.firsts[by]; ok {
		return m
	}
	out := map[string]int64{}
	o.firsts[by] = out
	for _, f := range o.facts {
		k := key(f)
		if v, ok := out[k]; !ok || f.first < v {
			out[k] = f.first
		}
	}
	return out
}

type oracleGroup struct {
	row          Row
	first, last  int64
	hosts, users map[string]bool
}

func (g *oracleGroup) add(f oracleFact) {
	if g.hosts == nil {
		g.hosts, g.users, g.first, g.last = map[string]bool{}, map[string]bool{}, f.first, f.last
	}
	g.row.Count += uint64(f.count)
	g.first, g.last = min(g.first, f.first), max(g.last, f.last)
	g.hosts[f.host] = true
	if f.user != "" {
		g.users[f.user] = true
	}
}

func (o *oracle) query(q Query) []Row {
	key := map[string]func(oracleFact) string{
		"":        func(f oracleFact) string { return f.service },
		"service": func(f oracleFact) string { return f.service },
		"host":    func(f oracleFact) string { return f.service + "\x00" + f.host },
		"user":    func(f oracleFact) string { return f.service + "\x00" + f.user },
	}[q.By]
	first := o.firstSeen(q.By, key)
	groups := map[string]*oracleGroup{}
	for _, f := range o.facts {
		k := key(f)
		if !o.keeps(q, f) || q.NewOnly && (first[k] < q.From.Time().UnixNano() || first[k] >= q.upper() || q.By == "user" && f.user == "") {
			continue
		}
		g := groups[k]
		if g == nil {
			g = &oracleGroup{row: o.meta[f.service]}
			g.row.Service = f.service
			switch q.By {
			case "host":
				g.row.HostID, g.row.Hostname = f.host, cmp.Or(o.hostnames[f.host], f.host)
			case "user":
				g.row.User = f.user
			}
			groups[k] = g
		}
		g.add(f)
	}
	var out []Row
	for _, g := range groups {
		g.row.Hosts, g.row.Users = uint64(len(g.hosts)), uint64(len(g.users))
		g.row.FirstSeen, g.row.LastSeen = time.Unix(0, g.first).UTC(), time.Unix(0, g.last).UTC()
		out = append(out, g.row)
	}
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Service, b.Service),
			strings.Compare(a.HostID, b.HostID), strings.Compare(a.User, b.User))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

func (o *oracle) top(q Query, key string, limit int) []Top {
	first := o.firstSeen("", func(f oracleFact) string { return f.service })
	groups := map[string]*oracleGroup{}
	perService := map[string]map[string]int64{}
	for _, f := range o.facts {
		k := map[string]string{"user": f.user, "host": f.host}[key]
		if !o.keeps(q, f) || k == "" || q.NewOnly && (first[f.service] < q.From.Time().UnixNano() || first[f.service] >= q.upper()) {
			continue
		}
		if groups[k] == nil {
			groups[k], perService[k] = &oracleGroup{}, map[string]int64{}
		}
		groups[k].add(f)
		perService[k][f.service] += f.count
	}
	var out []Top
	for k, g := range groups {
		t := Top{Key: k, Hosts: uint64(len(g.hosts)), Users: uint64(len(g.users)), Count: g.row.Count}
		if key == "host" {
			t.Hostname = cmp.Or(o.hostnames[k], k)
		}
		for svc := range perService[k] {
			t.Services = append(t.Services, svc)
		}
		slices.SortFunc(t.Services, func(a, b string) int {
			return cmp.Or(cmp.Compare(perService[k][b], perService[k][a]), strings.Compare(a, b))
		})
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Top) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key)) })
	return out[:min(limit, len(out))]
}
