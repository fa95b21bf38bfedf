package dns

import (
	"bytes"
	"testing"
)

// FuzzMessage walks a whole message as the sensor does: question, then
// every answer, reading CNAME targets. Seeds under testdata/fuzz come from
// real captures (dig, the nDPI DNS captures, fuzzer finds).
func FuzzMessage(f *testing.F) {
	f.Add(query)
	f.Add(response)
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c})
	f.Fuzz(func(t *testing.T, msg []byte) {
		var buf, target Name
		h, q, next, err := FirstQuestion(msg, &buf)
		if err != nil {
			return
		}
		checkName(t, q.Name)
		rs := NewRecords(msg, next, int(h.ANCount))
		for {
			rr, n, ok := rs.Next(&buf)
			if !ok {
				break
			}
			checkName(t, buf[:n])
			if rr.Type == TypeHTTPS {
				ECHPublicNames(rr.Data, func(n []byte) {
					if len(n) > len(msg) {
						t.Fatalf("public name longer than the message")
					}
				})
			}
			if rr.Type == TypeCNAME {
				if tn, _, err := ReadName(msg, rr.DataOff, &target); err == nil {
					checkName(t, target[:tn])
				}
			}
		}
	})
}

// checkName asserts the presentation-form promise: printable ASCII only,
// no upper case.
func checkName(t *testing.T, name []byte) {
	t.Helper()
	for _, b := range name {
		if b <= 0x20 || b >= 0x7f || (b >= 'A' && b <= 'Z') {
			t.Fatalf("name %q has byte %#x", name, b)
		}
	}
	if bytes.Count(name, []byte(".")) > MaxName {
		t.Fatalf("name %q too long", name)
	}
}
