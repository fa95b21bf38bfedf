package store

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBatchDigest: a batch is a re-send when its seq or its digest was
// committed with the same content, and a conflict (nothing stored, the
// agent told where to go on) when its seq was committed with other
// content, as after an agent's state directory was restored from a
// backup. Agents without digests keep the old behaviour.
func TestBatchDigest(t *testing.T) {
	digest := func(s string) []byte { d := sha256.Sum256([]byte(s)); return d[:] }
	type send struct {
		seq    uint64
		digest []byte
		want   Result
	}
	tests := []struct {
		name  string
		sends []send
		count uint64 // chatgpt sightings stored, one a batch stored
	}{
		{"duplicate by seq", []send{
			{1, digest("a"), Result{}},
			{1, digest("a"), Result{Duplicate: true}},
		}, 1},
		{"duplicate by digest under another seq", []send{
			{1, digest("a"), Result{}},
			{7, digest("a"), Result{Duplicate: true}},
		}, 1},
		{"conflict: seq committed with other content", []send{
			{1, digest("a"), Result{}},
			{2, digest("b"), Result{}},
			{3, digest("c"), Result{}},
			{2, digest("x"), Result{Conflict: true, NextSeq: 4}},
			{4, digest("x"), Result{}},
		}, 4},
		{"old agent without digests", []send{
			{1, nil, Result{}},
			{1, nil, Result{Duplicate: true}},
			{2, nil, Result{}},
		}, 2},
		{"upgraded agent re-sends a batch committed without digest", []send{
			{1, nil, Result{}},
			{1, digest("a"), Result{Duplicate: true}},
		}, 1},
		{"old agent reuses a seq an upgraded one committed", []send{
			{1, digest("a"), Result{}},
			{1, nil, Result{Duplicate: true}},
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openTest(t)
			for i, s := range tc.sends {
				b := Batch{AgentID: "agt-1", Seq: s.seq, Digest: s.digest, Sightings: []Sighting{sighting("chatgpt", "alice", day0, 1)}}
				b.Sightings[0].HostID = "h1"
				got, err := st.IngestBatch(context.Background(), b)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("send %d (seq %d): result (-want +got):\n%s", i, s.seq, diff)
				}
			}
			rows, err := st.Inventory(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].Count != tc.count {
				t.Errorf("inventory %+v, want chatgpt counted %d times", rows, tc.count)
			}
		})
	}
}

// TestDigestsArePerAgent: two agents may send the same content (an empty
// batch carrying the same dropped count); each is stored.
func TestDigestsArePerAgent(t *testing.T) {
	st := openTest(t)
	d := sha256.Sum256([]byte("same"))
	for _, agent := range []string{"agt-1", "agt-2"} {
		res, err := st.IngestBatch(context.Background(), Batch{AgentID: agent, Seq: 1, Digest: d[:], Dropped: 3})
		if err != nil {
			t.Fatal(err)
		}
		if res != (Result{}) {
			t.Errorf("%s: %+v, want stored", agent, res)
		}
	}
}

// TestDigestAcrossReEnrollment: an agent enrolled again (`enroll --force`,
// a new agent id) keeps its spool, and re-sends under the new id a batch
// the collector committed under the old one without the agent seeing the
// acknowledgement. Its digest names it as the same batch: it is a re-send,
// not new sightings.
func TestDigestAcrossReEnrollment(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	d := sha256.Sum256([]byte("a"))
	send := func(agent string, seq uint64) Result {
		t.Helper()
		b := Batch{AgentID: agent, Seq: seq, Digest: d[:], Sightings: []Sighting{sighting("chatgpt", "alice", day0, 1)}}
		b.Sightings[0].HostID = "h1"
		res, err := st.IngestBatch(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := send("agt-1", 7); res != (Result{}) {
		t.Fatalf("first send: %+v, want stored", res)
	}
	enrollTest(t, st, "agt-1b", "h1", "laptop-h1")
	if res := send("agt-1b", 7); res != (Result{Duplicate: true}) {
		t.Errorf("re-send under the new agent id: %+v, want a duplicate", res)
	}
	rows, err := st.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Count != 1 {
		t.Errorf("inventory %+v, want chatgpt counted once", rows)
	}
}
