package e2e

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// (e) Certificates: a revoked agent, an expired certificate, a certificate
// from another CA, and a collector the agent does not trust are each
// refused with a clear one-line error, and nothing is stored.
func TestReliabilityCertificates(t *testing.T) {
	dir := t.TempDir()
	c, state := enrolled(t, dir, "127.0.0.1:0")
	other := startCollector(t, filepath.Join(dir, "other"), "127.0.0.1:0")

	revoked := enrollAnother(t, c, filepath.Join(dir, "revoked"))
	id := agentID(t, revoked)
	r := mustRun(t, collectorBin, "agents", "revoke", id, "--data", c.data)
	if !strings.Contains(r.stdout, "agent "+id+" revoked at") {
		t.Errorf("revoke said %q", r.stdout)
	}
	r = mustRun(t, collectorBin, "agents", "revoke", id, "--data", c.data)
	if !strings.Contains(r.stdout, "already revoked") {
		t.Errorf("second revoke said %q", r.stdout)
	}

	expired := enrollAnother(t, c, filepath.Join(dir, "expired"))
	reissue(t, c.data, expired, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))

	foreign := filepath.Join(dir, "foreign") // enrolled elsewhere, pointed here
	mustRun(t, agentBin, "enroll", "--collector", other.addr, "--token", other.token(), "--state", foreign)
	copyFile(t, filepath.Join(state, "ca.crt"), filepath.Join(foreign, "ca.crt"))
	rewriteCollector(t, foreign, c.addr)

	distrust := enrollAnother(t, c, filepath.Join(dir, "distrust")) // trusts another CA
	copyFile(t, filepath.Join(other.data, "ca.crt"), filepath.Join(distrust, "ca.crt"))

	tests := []struct{ name, state, says string }{
		{"revoked agent", revoked, "agent " + id + " was revoked at"},
		{"expired certificate", expired, "certificate has expired"},
		{"certificate from another CA", foreign, "client certificate is not valid for this collector"},
		{"collector not signed by the pinned CA", distrust, "the CA this agent enrolled with does not verify (x509: certificate signed by unknown authority"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, agentBin, "run", "--state", tc.state, "--pcap", basicPcap, "--wait", "3s")
			oneLine(t, tc.name, r, 1, tc.says)
		})
	}
	if _, total := inventory(t, c.data); total != 0 {
		t.Errorf("refused agents stored %d observations", total)
	}
}

// TestRenewalAndHeartbeat runs the live agent with a renewal window longer
// than its certificate's life: it renews at start, keeps streaming with the
// new certificate, and its heartbeat reaches the collector.
func TestRenewalAndHeartbeat(t *testing.T) {
	dir := t.TempDir()
	c, state := enrolled(t, dir, "127.0.0.1:0")
	before := certNotAfter(t, state)
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("uplink:\n  renew_before: 8760h\nheartbeat:\n  interval: 1s\nsensors:\n  process:\n    interval: 1h\n"), 0o600)
	cmd, out := spawnAgent(t, "run", "--config", cfg, "--state", state)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !certNotAfter(t, state).After(before) {
		time.Sleep(100 * time.Millisecond)
	}
	after := certNotAfter(t, state)
	if !after.After(before) {
		t.Fatalf("certificate not renewed (not after %s):\n%s", before, out)
	}
	time.Sleep(2 * time.Second) // a heartbeat on the renewed certificate
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, out, 30*time.Second); code != 0 {
		t.Errorf("agent exit %d after SIGTERM:\n%s", code, out)
	}
	if strings.Contains(out.String(), "heartbeat failed") {
		t.Errorf("heartbeat failed:\n%s", out)
	}
	// With renew_before beyond the certificate's life the agent renews
	// at every heartbeat, so the collector's record is of the last
	// renewal: the one the agent ended with, or one a second later whose
	// answer SIGTERM cut off.
	final := certNotAfter(t, state)
	a := agents(t, c.data)
	if len(a) != 1 || a[0].LastSeen == "-" {
		t.Fatalf("collector's view %+v: want one agent with a heartbeat", a)
	}
	rec, err := time.Parse(time.RFC3339, a[0].Certs)
	if err != nil || rec.Before(after.Truncate(time.Second)) || rec.After(final.Add(5*time.Second)) {
		t.Errorf("collector records expiry %q: want a renewed one, from %s to %s", a[0].Certs, after.UTC().Format(time.RFC3339), final.UTC().Format(time.RFC3339))
	}
	c.stop() // its log is complete and no longer written
	if !strings.Contains(c.log.String(), "agent certificate renewed") {
		t.Errorf("collector did not log the renewal:\n%s", c.log)
	}
}

func enrollAnother(t *testing.T, c *collector, state string) string {
	t.Helper()
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
	return state
}

func agentID(t *testing.T, state string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, "enrollment.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		AgentID string `json:"agent_id"`
	}
	json.Unmarshal(b, &e)
	return e.AgentID
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(to, b, 0o644)
}

func certNotAfter(t *testing.T, state string) time.Time {
	t.Helper()
	return readCert(t, filepath.Join(state, "agent.crt")).NotAfter
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reissue replaces the agent's certificate with one from the collector's
// own CA, for the same key and name, valid only from notBefore to notAfter:
// how a certificate looks once it has expired.
func reissue(t *testing.T, data, state string, notBefore, notAfter time.Time) {
	t.Helper()
	ca := readCert(t, filepath.Join(data, "ca.crt"))
	keyPEM, _ := os.ReadFile(filepath.Join(data, "ca.key"))
	blk, _ := pem.Decode(keyPEM)
	caKey, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	old := readCert(t, filepath.Join(state, "agent.crt"))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: old.Subject.CommonName, OrganizationalUnit: old.Subject.OrganizationalUnit},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, old.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(state, "agent.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
