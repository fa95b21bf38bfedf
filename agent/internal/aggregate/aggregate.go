// Package aggregate merges observations of the same thing within a time
// window into one sighting with first and last time and a count, so a
// browser that looks up chatgpt.com a thousand times a minute costs the
// collector one row. Counts are summed exactly: never lost, never doubled.
package aggregate

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/agent/internal/observe"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// DefaultWindow is how long observations are merged.
const DefaultWindow = time.Minute

// key is what makes two observations "the same": source, service, domain
// or process, user and destination, within one window.
type key struct {
	window  int64
	source  observe.Source
	service string
	domain  string
	exe     string
	process string
	user    string
	dstIP   string
	dstPort uint16
	ech     bool
	// detail tells apart endpoint findings that share everything above:
	// two extensions of one service, two model stores of one runtime.
	detail string
}

// Aggregator merges observations. It is not safe for concurrent use.
type Aggregator struct {
	window time.Duration
	m      map[key]*pb.Sighting
	// Host fields stamped on every sighting.
	hostID, hostname, catalogVersion string
}

// New returns an Aggregator that merges per window.
func New(window time.Duration, hostID, hostname, catalogVersion string) *Aggregator {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Aggregator{window: window, m: map[key]*pb.Sighting{}, hostID: hostID, hostname: hostname, catalogVersion: catalogVersion}
}

// SetCatalogVersion changes the version stamped on later sightings.
func (a *Aggregator) SetCatalogVersion(v string) { a.catalogVersion = v }

// Reportable says whether an observation goes to the collector: AI
// services, and the places where visibility is lost (ECH, encrypted DNS).
// Everything else stays on the host.
func Reportable(o *observe.Observation) bool {
	return o.Service != nil || o.ECH || o.Source == observe.EncryptedDNS
}

// Add merges o if it is reportable and reports whether it was kept.
func (a *Aggregator) Add(o *observe.Observation) bool {
	if !Reportable(o) {
		return false
	}
	k := a.keyOf(o)
	if s, ok := a.m[k]; ok {
		s.Count++
		if t := o.Time; t.Before(s.FirstSeen.AsTime()) {
			s.FirstSeen = timestamppb.New(t)
		} else if t.After(s.LastSeen.AsTime()) {
			s.LastSeen = timestamppb.New(t)
		}
		return true
	}
	a.m[k] = a.newSighting(o)
	return true
}

func (a *Aggregator) keyOf(o *observe.Observation) key {
	k := key{
		window: o.Time.UnixNano() / int64(a.window), source: o.Source, domain: o.Domain,
		exe: o.Exe, process: o.Process, user: o.User, dstPort: o.DstPort, ech: o.ECH,
	}
	if o.Service != nil {
		k.service = o.Service.ID
	}
	if o.Source == observe.Extension || o.Source == observe.ModelStore {
		k.detail = o.Attrs["extension_id"] + "\x00" + o.Attrs["path"]
	}
	if o.DstIP.IsValid() {
		k.dstIP = o.DstIP.String()
	}
	return k
}

func (a *Aggregator) newSighting(o *observe.Observation) *pb.Sighting {
	ts := timestamppb.New(o.Time)
	s := &pb.Sighting{
		FirstSeen: ts, LastSeen: ts, Count: 1, Source: string(o.Source), Domain: o.Domain,
		HostId: a.hostID, Hostname: a.hostname, User: o.User, DstPort: uint32(o.DstPort),
		CatalogVersion: a.catalogVersion,
	}
	if o.Service != nil {
		s.Service = o.Service.ID
	}
	if o.PID != 0 || o.Exe != "" || o.Process != "" {
		s.Process = &pb.Process{Pid: int32(o.PID), Exe: o.Exe, Name: o.Process}
	}
	if o.SrcIP.IsValid() {
		s.SrcIp = o.SrcIP.String()
	}
	if o.DstIP.IsValid() {
		s.DstIp = o.DstIP.String()
	}
	if o.ALPN != "" || o.ECH || len(o.Attrs) > 0 {
		s.Attrs = map[string]string{}
		for k, v := range o.Attrs {
			s.Attrs[validUTF8(k)] = v // values are checked by fit
		}
		if o.ALPN != "" {
			s.Attrs["alpn"] = o.ALPN
		}
		if o.ECH {
			s.Attrs["ech"] = "true"
		}
	}
	fit(s)
	return s
}

// Flush removes and returns the sightings of every window that ended at or
// before now, oldest first.
func (a *Aggregator) Flush(now time.Time) []*pb.Sighting {
	cut := now.UnixNano() / int64(a.window)
	return a.take(func(k key) bool { return k.window < cut })
}

// FlushAll removes and returns every sighting.
func (a *Aggregator) FlushAll() []*pb.Sighting {
	return a.take(func(key) bool { return true })
}

// take removes and returns the sightings whose key done accepts, oldest
// first.
func (a *Aggregator) take(done func(key) bool) []*pb.Sighting {
	var out []*pb.Sighting
	for k, s := range a.m {
		if done(k) {
			out = append(out, s)
			delete(a.m, k)
		}
	}
	sortByTime(out)
	return out
}

// Snapshot returns copies of the sightings still being merged, oldest
// first, for the spool's checkpoint of open windows.
func (a *Aggregator) Snapshot() []*pb.Sighting {
	out := make([]*pb.Sighting, 0, len(a.m))
	for _, s := range a.m {
		out = append(out, proto.Clone(s).(*pb.Sighting))
	}
	sortByTime(out)
	return out
}

// Len is the number of sightings being merged.
func (a *Aggregator) Len() int { return len(a.m) }

func sortByTime(s []*pb.Sighting) {
	slices.SortFunc(s, func(x, y *pb.Sighting) int {
		return cmp.Or(x.FirstSeen.AsTime().Compare(y.FirstSeen.AsTime()),
			strings.Compare(x.Service, y.Service), strings.Compare(x.Domain, y.Domain))
	})
}

// Batches splits sightings into batches of at most n.
func Batches(s []*pb.Sighting, n int) []*pb.Batch {
	var out []*pb.Batch
	for len(s) > 0 {
		k := min(n, len(s))
		out = append(out, &pb.Batch{Sightings: s[:k]})
		s = s[k:]
	}
	return out
}
