package cli

import (
	"bytes"
	"testing"

	"github.com/shadowai/shadowai/agent/internal/netsensor"
)

func TestAmbiguousSummary(t *testing.T) {
	tests := []struct {
		name  string
		stats netsensor.Stats
		want  string
	}{
		{"none", netsensor.Stats{IPNames: 5}, ""},
		{"some", netsensor.Stats{IPNames: 5, IPAmbiguous: 2},
			"2 of 5 flows named from DNS answers went to an address shared by names of different services: no service credited (see attrs.ip_candidates)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			ambiguousSummary(&b, tc.stats)
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}
