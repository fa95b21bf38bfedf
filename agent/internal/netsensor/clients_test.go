package netsensor

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

// TestRealClients checks what matters in testdata/clients.pcap, recorded
// by record-clients.sh from real clients, beyond its golden file: every
// client's name is found once per lookup or handshake, Chromium's
// two-segment ClientHellos are reassembled, and its QUIC ClientHello,
// spread over shuffled Initials and retransmitted, counts once.
func TestRealClients(t *testing.T) {
	got := map[string]int{}
	st, err := ReadFile("testdata/clients.pcap", catalog(t), func(o *observe.Observation) {
		got[string(o.Source)+" "+o.Domain]++
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"dns chatgpt.com":            1, // dig, UDP
		"dns claude.ai":              1, // dig +tcp, mixed case on the wire
		"dns api.anthropic.com":      1, // dig over IPv6, AAAA
		"tls api.openai.com":         1, // curl
		"tls api.mistral.ai":         1, // openssl s_client
		"tls chat.deepseek.com":      2, // Chromium over TCP opens two connections
		"quic copilot.microsoft.com": 1,
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			delete(got, k) // Chromium's own background requests
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	if st.TLSReassembled == 0 || st.QUICHellos != 1 {
		t.Errorf("stats %+v: want Chromium's ClientHellos reassembled and one QUIC hello", st)
	}
}
