package ingest

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

var agent = store.Agent{ID: "agt-1", HostID: "h1", Hostname: "laptop"}

func sighting() *pb.Sighting {
	now := timestamppb.New(time.Now().Add(-time.Minute))
	return &pb.Sighting{FirstSeen: now, LastSeen: now, Count: 2, Source: "tls", Domain: "chatgpt.com",
		Service: "openai-chatgpt", HostId: "spoofed", Hostname: "spoofed", User: "alice"}
}

func TestToBatch(t *testing.T) {
	mod := func(f func(*pb.Sighting)) *pb.Batch {
		x := sighting()
		f(x)
		return &pb.Batch{Seq: 1, Sightings: []*pb.Sighting{x}}
	}
	tests := []struct {
		name  string
		batch *pb.Batch
		says  string
	}{
		{"no batch", nil, "no batch"},
		{"seq 0", &pb.Batch{}, "sequence number 0"},
		// Stored negative, a seq past int64 would skew the next_seq that
		// conflicts answer with (MAX(seq) + 1).
		{"huge seq", &pb.Batch{Seq: 1 << 63}, "beyond 9223372036854775807"},
		// A dropped count past int64 is stored negative, and two near it
		// overflow SUM(dropped): `agents list` failed for the whole fleet.
		{"huge dropped", &pb.Batch{Seq: 1, DroppedSightings: 1 << 63}, "dropped_sightings"},
		{"short digest", &pb.Batch{Seq: 1, Digest: []byte("md5?")}, "not the 32 of a SHA-256"},
		{"count 0", mod(func(x *pb.Sighting) { x.Count = 0 }), "count is 0"},
		{"huge count", mod(func(x *pb.Sighting) { x.Count = 1 << 62 }), "no agent observes"},
		{"no times", mod(func(x *pb.Sighting) { x.FirstSeen = nil }), "required"},
		{"reversed times", mod(func(x *pb.Sighting) { x.FirstSeen = timestamppb.New(time.Now()) }), "before first_seen"},
		{"1970", mod(func(x *pb.Sighting) { x.FirstSeen = timestamppb.New(time.Unix(0, 0)) }), "agent's clock"},
		{"no source", mod(func(x *pb.Sighting) { x.Source = "" }), "source is empty"},
		{"long domain", mod(func(x *pb.Sighting) { x.Domain = strings.Repeat("a", 1025) }), "domain is longer"},
		{"bad service", mod(func(x *pb.Sighting) { x.Service = "Chat GPT" }), "not a catalog id"},
		{"many attrs", mod(func(x *pb.Sighting) {
			x.Attrs = map[string]string{}
			for i := 0; i < 17; i++ {
				x.Attrs[strings.Repeat("k", i+1)] = "v"
			}
		}), "more than 16 attrs"},
		{"port", mod(func(x *pb.Sighting) { x.DstPort = 70000 }), "not a port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := toBatch(agent, tc.batch)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("toBatch: %v, want an error saying %q", err, tc.says)
			}
		})
	}
	b, err := toBatch(agent, &pb.Batch{Seq: 7, Sightings: []*pb.Sighting{sighting()}})
	if err != nil {
		t.Fatal(err)
	}
	if x := b.Sightings[0]; x.HostID != "h1" || x.Hostname != "laptop" {
		t.Errorf("host identity came from the batch, not the enrollment: %+v", x)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(10, 100)
	now := time.Now()
	if ok, _ := l.take("a", 100, now); !ok {
		t.Fatal("a full bucket refused its burst")
	}
	ok, wait := l.take("a", 10, now)
	if ok || wait < 900*time.Millisecond || wait > 1100*time.Millisecond {
		t.Errorf("empty bucket: ok=%v wait=%v, want refused for about 1s", ok, wait)
	}
	if ok, _ := l.take("b", 50, now); !ok {
		t.Error("another agent's bucket was shared")
	}
	if ok, _ := l.take("a", 10, now.Add(time.Second)); !ok {
		t.Error("refill after 1s refused 10 sightings")
	}
	if ok, _ := newLimiter(0, 0).take("a", 1<<20, now); !ok {
		t.Error("rate 0 must mean no limit")
	}
}

// FuzzToBatch feeds arbitrary bytes through the protobuf decoder and the
// batch checks, as a stream message from an agent would go.
func FuzzToBatch(f *testing.F) {
	seed, _ := proto.Marshal(&pb.Batch{Seq: 3, Sightings: []*pb.Sighting{sighting()}, DroppedSightings: 1})
	f.Add(seed)
	f.Add([]byte{0x08, 0x01})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var batch pb.Batch
		if proto.Unmarshal(b, &batch) != nil {
			return
		}
		out, err := toBatch(agent, &batch)
		if err != nil {
			return
		}
		if out.Dropped > maxCount {
			t.Fatalf("accepted dropped_sightings %d", out.Dropped)
		}
		for _, x := range out.Sightings {
			if x.Count == 0 || x.LastSeen.Before(x.FirstSeen) || len(x.Domain) > maxString || !serviceID(x.Service) {
				t.Fatalf("accepted an invalid sighting: %+v", x)
			}
		}
	})
}
