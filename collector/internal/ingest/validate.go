package ingest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Limits on what one batch may carry. Anything beyond is refused whole,
// never cut silently.
const (
	MaxBatchSightings = 10000
	maxString         = 1024
	maxAttrs          = 16
	maxCount          = 1 << 40
)

// toBatch checks a batch from an agent and converts it for the store. The
// host identity comes from the agent's enrollment, never from the batch.
func toBatch(agent store.Agent, b *pb.Batch) (store.Batch, error) {
	if b == nil {
		return store.Batch{}, errors.New("stream message carries no batch")
	}
	if b.GetSeq() == 0 {
		return store.Batch{}, errors.New("batch sequence number 0 is invalid: sequence numbers start at 1")
	}
	if b.GetSeq() > math.MaxInt64 {
		return store.Batch{}, fmt.Errorf("batch sequence number %d is beyond %d: the store keeps it as a signed 64-bit number", b.GetSeq(), int64(math.MaxInt64))
	}
	if n := len(b.GetSightings()); n > MaxBatchSightings {
		return store.Batch{}, fmt.Errorf("batch %d has %d sightings, more than the limit of %d", b.GetSeq(), n, MaxBatchSightings)
	}
	if d := b.GetDroppedSightings(); d > maxCount {
		return store.Batch{}, fmt.Errorf("batch %d: dropped_sightings %d is beyond %d: no agent's spool drops that much", b.GetSeq(), d, uint64(maxCount))
	}
	if n := len(b.GetDigest()); n != 0 && n != sha256.Size {
		return store.Batch{}, fmt.Errorf("batch %d: digest has %d bytes, not the %d of a SHA-256", b.GetSeq(), n, sha256.Size)
	}
	out := store.Batch{AgentID: agent.ID, Seq: b.GetSeq(), Digest: b.GetDigest(), Dropped: b.GetDroppedSightings(), Sightings: make([]store.Sighting, 0, len(b.GetSightings()))}
	now := time.Now()
	for i, x := range b.GetSightings() {
		s, err := toSighting(agent, x, now)
		if err != nil {
			return store.Batch{}, fmt.Errorf("batch %d, sighting %d: %w", b.GetSeq(), i, err)
		}
		out.Sightings = append(out.Sightings, s)
	}
	return out, nil
}

// Timestamps outside [earliest, now+maxSkew] come from a broken clock; they
// would file sightings under days that never happened.
var earliest = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

const maxSkew = 24 * time.Hour

func toSighting(agent store.Agent, x *pb.Sighting, now time.Time) (store.Sighting, error) {
	if x.GetCount() == 0 {
		return store.Sighting{}, errors.New("count is 0: a sighting stands for at least one observation")
	}
	if x.GetCount() > maxCount {
		return store.Sighting{}, fmt.Errorf("count %d is beyond %d: no agent observes that much in one window", x.GetCount(), uint64(maxCount))
	}
	if x.GetFirstSeen() == nil || x.GetLastSeen() == nil {
		return store.Sighting{}, errors.New("first_seen and last_seen are required")
	}
	first, last := x.GetFirstSeen().AsTime(), x.GetLastSeen().AsTime()
	if last.Before(first) {
		return store.Sighting{}, errors.New("last_seen is before first_seen")
	}
	if first.Before(earliest) || last.After(now.Add(maxSkew)) {
		return store.Sighting{}, fmt.Errorf("timestamps %s..%s are outside 2020 to tomorrow: check the agent's clock",
			first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
	}
	if !serviceID(x.GetService()) {
		return store.Sighting{}, fmt.Errorf("service %.64q is not a catalog id (lowercase letters, digits, '.', '_', '-')", x.GetService())
	}
	if x.GetSource() == "" {
		return store.Sighting{}, errors.New("source is empty")
	}
	if name := tooLong(x); name != "" {
		return store.Sighting{}, fmt.Errorf("%s is longer than %d bytes", name, maxString)
	}
	if len(x.GetAttrs()) > maxAttrs {
		return store.Sighting{}, fmt.Errorf("more than %d attrs", maxAttrs)
	}
	for k, v := range x.GetAttrs() {
		if len(k) > 64 || len(v) > maxString {
			return store.Sighting{}, fmt.Errorf("attr %.64q is too long", k)
		}
	}
	if x.GetDstPort() > 65535 {
		return store.Sighting{}, fmt.Errorf("dst_port %d is not a port", x.GetDstPort())
	}
	return store.Sighting{
		FirstSeen: first, LastSeen: last, Count: x.GetCount(), Source: x.GetSource(), Domain: x.GetDomain(),
		Service: x.GetService(), HostID: agent.HostID, Hostname: agent.Hostname, User: x.GetUser(),
		PID: x.GetProcess().GetPid(), Exe: x.GetProcess().GetExe(), Process: x.GetProcess().GetName(),
		SrcIP: x.GetSrcIp(), DstIP: x.GetDstIp(), DstPort: x.GetDstPort(), CatalogVersion: x.GetCatalogVersion(),
		Attrs: x.GetAttrs(),
	}, nil
}

// serviceID says whether s can be a catalog service id (or is empty).
func serviceID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// tooLong names the first string field of x longer than maxString.
func tooLong(x *pb.Sighting) string {
	fields := [...]struct{ name, v string }{
		{"source", x.GetSource()}, {"domain", x.GetDomain()}, {"service", x.GetService()}, {"user", x.GetUser()},
		{"exe", x.GetProcess().GetExe()}, {"process", x.GetProcess().GetName()}, {"src_ip", x.GetSrcIp()},
		{"dst_ip", x.GetDstIp()}, {"catalog_version", x.GetCatalogVersion()},
	}
	for _, f := range fields {
		if len(f.v) > maxString {
			return f.name
		}
	}
	return ""
}
