package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// startWith starts the collector with extra serve flags and, when
// config is not empty, a collector.yaml.
func startWith(t *testing.T, data, config string, extra ...string) *collector {
	t.Helper()
	os.MkdirAll(data, 0o700)
	if config != "" {
		if err := os.WriteFile(filepath.Join(data, "collector.yaml"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(data, "collector.addr"))
	c := &collector{t: t, data: data, log: &bytes.Buffer{}}
	c.cmd = exec.Command(collectorBin, append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0"}, extra...)...)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(data, "collector.addr")); err == nil {
			c.addr = strings.TrimSpace(string(b))
			return c
		}
	}
	t.Fatalf("collector did not start listening:\n%s", c.log)
	return nil
}

type row struct {
	Service, Policy, Host, User string
	Hosts, Users, Count         uint64
}

func queryJSON(t *testing.T, data string, args ...string) []row {
	t.Helper()
	out := mustRun(t, collectorBin, append([]string{"inventory", "--data", data, "--format", "json"}, args...)...).stdout
	var rows []row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("inventory %v: %v\n%s", args, err, out)
	}
	return rows
}

func total(rows []row) (n uint64) {
	for _, r := range rows {
		n += r.Count
	}
	return n
}

// fleetOfOne is a collector with the HTTP API and one real agent that
// streamed the bundled capture.
func fleetOfOne(t *testing.T, config string) (*collector, uint64) {
	t.Helper()
	dir := t.TempDir()
	c := startWith(t, filepath.Join(dir, "collector"), config, "--http", "127.0.0.1:0")
	state := filepath.Join(dir, "agent")
	mustRun(t, agentBin, "enroll", "--collector", c.addr, "--token", c.token(), "--state", state)
	mustRun(t, agentBin, "run", "--state", state, "--pcap", basicPcap)
	want, _ := aiObservations(t, basicPcap)
	return c, want
}

// TestQueriesAndPolicy: the inventory's filters, groupings and policy
// agree with each other and with what the agent saw.
func TestQueriesAndPolicy(t *testing.T) {
	c, want := fleetOfOne(t, "")
	all := queryJSON(t, c.data)
	if total(all) != want || len(all) == 0 {
		t.Fatalf("inventory total %d, want %d", total(all), want)
	}
	host, _ := os.Hostname()
	for _, args := range [][]string{{"--by", "host"}, {"--by", "user"}, {"--since", sinceCapture()}, {"--new", "--since", sinceCapture()}, {"--host", host}} {
		rows := queryJSON(t, c.data, args...)
		if total(rows) != want {
			t.Errorf("inventory %v: total %d, want %d", args, total(rows), want)
		}
	}
	for _, r := range queryJSON(t, c.data, "--by", "host") {
		if r.Host == "" {
			t.Errorf("--by host row without a host: %+v", r)
		}
	}
	if rows := queryJSON(t, c.data, "--until", "2021-01-01"); len(rows) != 0 {
		t.Errorf("window before any data: %d rows", len(rows))
	}
	svc := all[0].Service
	if rows := queryJSON(t, c.data, "--service", svc); len(rows) != 1 || rows[0].Count != all[0].Count {
		t.Errorf("--service %s: %+v", svc, rows)
	}
	mustRun(t, collectorBin, "policy", "set", svc, "sanctioned", "--data", c.data)
	for _, r := range queryJSON(t, c.data, "--unsanctioned") {
		if r.Service == svc {
			t.Errorf("--unsanctioned still lists %s after it was sanctioned", svc)
		}
	}
	if rows := queryJSON(t, c.data, "--service", svc); rows[0].Policy != "sanctioned" {
		t.Errorf("policy column %q, want sanctioned", rows[0].Policy)
	}
	out := mustRun(t, collectorBin, "inventory", "--data", c.data, "--format", "csv").stdout
	if !strings.HasPrefix(out, "service,name,vendor,category,risk,policy,") {
		t.Errorf("csv header: %q", strings.SplitN(out, "\n", 2)[0])
	}
}

func TestEndpoints(t *testing.T) {
	c, _ := fleetOfOne(t, "")
	out := mustRun(t, collectorBin, "endpoints", "--data", c.data, "--format", "json").stdout
	var eps []struct{ Hostname, Status string }
	if err := json.Unmarshal([]byte(out), &eps); err != nil || len(eps) != 1 {
		t.Fatalf("endpoints: %v\n%s", err, out)
	}
	if eps[0].Status == "" || eps[0].Status == "revoked" {
		t.Errorf("endpoint status %q", eps[0].Status)
	}
	// With no heartbeat in the last nanosecond, the endpoint is silent.
	table := mustRun(t, collectorBin, "endpoints", "--data", c.data, "--silent-after", "1ns").stdout
	if !strings.Contains(table, "silent") || !strings.Contains(table, "1 endpoints, 1 silent") {
		t.Errorf("endpoints table does not flag the silent endpoint:\n%s", table)
	}
}

// TestHTTPAPI: bearer token and admin certificate both work; nothing
// else does.
func TestHTTPAPI(t *testing.T) {
	c, want := fleetOfOne(t, "")
	base := "https://" + readTrim(t, filepath.Join(c.data, "http.addr"))
	tok := readTrim(t, filepath.Join(c.data, "http-admin.token"))
	admin := filepath.Join(t.TempDir(), "admin")
	mustRun(t, collectorBin, "admin", "cert", "--data", c.data, "--name", "alice", "--out", admin)
	anon, withCert := httpClient(t, c.data, ""), httpClient(t, c.data, admin)

	code, body := get(t, anon, base+"/v1/inventory", "")
	if code != http.StatusUnauthorized || !strings.Contains(body, "bearer token") {
		t.Errorf("no credentials: %d %s", code, body)
	}
	if code, _ = get(t, anon, base+"/v1/inventory", "wrong-token-wrong-token-wrong-token"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	for name, cl := range map[string]*http.Client{"token": anon, "certificate": withCert} {
		bearer := ""
		if name == "token" {
			bearer = tok
		}
		code, body := get(t, cl, base+"/v1/inventory?by=service&since="+sinceCapture(), bearer)
		var rows []row
		if code != 200 || json.Unmarshal([]byte(body), &rows) != nil || total(rows) != want {
			t.Errorf("%s: %d, total %d, want %d: %s", name, code, total(rows), want, body)
		}
	}
	if code, body := get(t, anon, base+"/v1/inventory?by=vendor", tok); code != 400 || !strings.Contains(body, "use service, host or user") {
		t.Errorf("bad by: %d %s", code, body)
	}
	if code, body := get(t, anon, base+"/v1/inventory?frobnicate=1", tok); code != 400 || !strings.Contains(body, "unknown parameter") {
		t.Errorf("unknown parameter: %d %s", code, body)
	}
	if code, body := get(t, anon, base+"/v1/endpoints?format=csv", tok); code != 200 || !strings.HasPrefix(body, "agent_id,") {
		t.Errorf("endpoints csv: %d %s", code, body)
	}
	code, body = get(t, anon, base+"/metrics", tok)
	if code != 200 || !strings.Contains(body, fmt.Sprintf("shadowai_ingest_batches_total %d", 1)) && !strings.Contains(body, "shadowai_ingest_sightings_total ") {
		t.Errorf("metrics: %d\n%s", code, body)
	}
	for _, m := range []string{"shadowai_ingest_open_streams", "shadowai_ingest_batch_seconds_bucket", "shadowai_store_database_bytes"} {
		if !strings.Contains(body, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	if code, _ := get(t, anon, base+"/healthz", ""); code != 200 {
		t.Errorf("healthz: %d", code)
	}
}

// TestGRPCAdmin: an admin certificate can query inventory, endpoints and
// health over gRPC; filters and bad values get clear errors.
func TestGRPCAdmin(t *testing.T) {
	c, want := fleetOfOne(t, "")
	admin := filepath.Join(t.TempDir(), "admin")
	mustRun(t, collectorBin, "admin", "cert", "--data", c.data, "--name", "alice", "--out", admin)
	conn, err := grpc.NewClient(c.addr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig(t, c.data, admin))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	inv := pb.NewInventoryServiceClient(conn)
	resp, err := inv.Query(ctx, &pb.QueryRequest{By: "user"})
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, r := range resp.GetRows() {
		n += r.GetCount()
		if r.GetPolicy() == "" {
			t.Errorf("row without policy: %v", r)
		}
	}
	if n != want {
		t.Errorf("gRPC inventory total %d, want %d", n, want)
	}
	if _, err := inv.Query(ctx, &pb.QueryRequest{By: "vendor"}); err == nil || !strings.Contains(err.Error(), "InvalidArgument") {
		t.Errorf("by=vendor: %v", err)
	}
	eps, err := inv.Endpoints(ctx, &pb.EndpointsRequest{})
	if err != nil || len(eps.GetEndpoints()) != 1 {
		t.Errorf("endpoints: %v %v", eps, err)
	}
	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health: %v %v", h, err)
	}
}

// TestBackupRestore: a backup taken while serving restores to the same
// inventory.
func TestBackupRestore(t *testing.T) {
	c, _ := fleetOfOne(t, "")
	file := filepath.Join(t.TempDir(), "shadowai-backup.db")
	mustRun(t, collectorBin, "backup", "--data", c.data, "--out", file)
	r := run(t, collectorBin, "backup", "--data", c.data, "--out", file)
	oneLine(t, "backup over an existing file", r, 1, "already exists")
	restored := filepath.Join(t.TempDir(), "restored")
	os.MkdirAll(restored, 0o700)
	b, _ := os.ReadFile(file)
	os.WriteFile(filepath.Join(restored, "shadowai.db"), b, 0o600)
	if a, b := queryJSON(t, c.data), queryJSON(t, restored); total(a) != total(b) || len(a) != len(b) {
		t.Errorf("restored inventory differs: %d rows/%d vs %d rows/%d", len(a), total(a), len(b), total(b))
	}
}

// TestWeeklyReportDelivery writes the report and delivers it to a local
// SMTP server and a local webhook.
func TestWeeklyReportDelivery(t *testing.T) {
	mail, hook := startSMTP(t), startWebhook(t)
	config := fmt.Sprintf("report:\n  smtp: {addr: %q, from: shadowai@example.com, to: [ciso@example.com]}\n  webhook: {url: %q}\n", mail.addr, hook.url)
	c, _ := fleetOfOne(t, config)
	y, w := time.Now().UTC().ISOWeek()
	week := fmt.Sprintf("%04d-W%02d", y, w)
	out := filepath.Join(t.TempDir(), "report")
	res := mustRun(t, collectorBin, "report", "weekly", "--week", week, "--out", out, "--data", c.data, "--deliver")
	if !strings.Contains(res.stdout, "Shadow AI report "+week) {
		t.Errorf("report summary: %s", res.stdout)
	}
	for _, f := range []string{"report.html", "report.md", "report.csv", "report.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if bytes.Contains(html, []byte("<script")) || bytes.Contains(html, []byte("http://")) && !bytes.Contains(html, []byte("www.w3.org")) {
		t.Error("report.html is not self-contained")
	}
	msgs := mail.messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "Subject: Shadow AI report "+week) || !strings.Contains(msgs[0], `filename="report.html"`) {
		t.Errorf("mail: %d messages: %.400s", len(msgs), strings.Join(msgs, "\n---\n"))
	}
	posts := hook.posts()
	if len(posts) != 1 || !strings.HasPrefix(posts[0], "application/json\n{\"text\":") || !strings.Contains(posts[0], week) {
		t.Errorf("webhook: %q", posts)
	}
}

// TestCollectorBadInput: every mistake is one line and a non-zero exit.
func TestCollectorBadInput(t *testing.T) {
	c, _ := fleetOfOne(t, "")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("retention: {raw_dayz: 3}\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unknown grouping", []string{"inventory", "--data", c.data, "--by", "vendor"}, 2, "use service, host or user"},
		{"bad since", []string{"inventory", "--data", c.data, "--since", "yesterday"}, 2, "not a date"},
		{"until before since", []string{"inventory", "--data", c.data, "--since", "2026-11-20", "--until", "2026-11-10"}, 2, "--until must be after --since"},
		{"new without since", []string{"inventory", "--data", c.data, "--new"}, 2, "--new needs --since"},
		{"unknown policy", []string{"policy", "set", "openai-chatgpt", "banned", "--data", c.data}, 2, "unknown policy"},
		{"unknown service", []string{"policy", "set", "no-such-ai", "sanctioned", "--data", c.data}, 2, "unknown service"},
		{"bad week", []string{"report", "weekly", "--week", "2026-W60", "--out", t.TempDir(), "--data", c.data}, 2, "no such ISO week"},
		{"report without out", []string{"report", "weekly", "--data", c.data}, 2, "--out DIR is required"},
		{"deliver without config", []string{"report", "weekly", "--out", t.TempDir(), "--data", c.data, "--deliver"}, 1, "no report.smtp or report.webhook"},
		{"bad config", []string{"inventory", "--data", c.data, "--config", bad}, 1, "field raw_dayz not found"},
		{"serve with bad config", []string{"serve", "--data", t.TempDir(), "--config", bad}, 1, "field raw_dayz not found"},
		{"bad format", []string{"endpoints", "--data", c.data, "--format", "xml"}, 2, "unknown --format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oneLine(t, tc.name, run(t, collectorBin, tc.args...), tc.code, tc.says)
		})
	}
}

func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func tlsConfig(t *testing.T, data, admin string) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(readTrim(t, filepath.Join(data, "ca.crt"))))
	cfg := &tls.Config{RootCAs: pool, ServerName: "localhost"}
	if admin != "" {
		pair, err := tls.LoadX509KeyPair(filepath.Join(admin, "admin.crt"), filepath.Join(admin, "admin.key"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg
}

func httpClient(t *testing.T, data, admin string) *http.Client {
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig(t, data, admin)}}
}

func get(t *testing.T, cl *http.Client, url, bearer string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
