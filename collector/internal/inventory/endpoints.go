package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Endpoint is one host's newest agent and what its health says; the field
// names are a public contract.
type Endpoint struct {
	AgentID       string `json:"agent_id"`
	HostID        string `json:"host_id"`
	Hostname      string `json:"hostname"`
	OS            string `json:"os"`
	AgentVersion  string `json:"agent_version"`
	EnrolledAt    string `json:"enrolled_at"`
	LastHeartbeat string `json:"last_heartbeat"`
	LastSeen      string `json:"last_seen"`
	// Status is ok, degraded, silent or revoked.
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Endpoints lists every endpoint with its status; an endpoint whose last
// heartbeat is older than silentAfter is silent.
func Endpoints(ctx context.Context, st *store.Store, silentAfter time.Duration, now time.Time) ([]Endpoint, error) {
	agents, err := st.Endpoints(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, 0, len(agents))
	for _, a := range agents {
		status, detail := health(a, silentAfter, now)
		out = append(out, Endpoint{AgentID: a.ID, HostID: a.HostID, Hostname: a.Hostname, OS: a.OS,
			AgentVersion: a.Version, EnrolledAt: stamp(a.EnrolledAt), LastHeartbeat: stamp(a.LastHeartbeat),
			LastSeen: stamp(a.LastSeen), Status: status, Detail: detail})
	}
	return out, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func health(a store.Agent, silentAfter time.Duration, now time.Time) (status, detail string) {
	switch {
	case !a.RevokedAt.IsZero():
		return "revoked", "revoked at " + stamp(a.RevokedAt)
	case a.LastHeartbeat.IsZero() && now.Sub(a.EnrolledAt) > silentAfter:
		return "silent", "never sent a heartbeat since enrolling " + ago(now.Sub(a.EnrolledAt))
	case !a.LastHeartbeat.IsZero() && now.Sub(a.LastHeartbeat) > silentAfter:
		return "silent", "no heartbeat for " + ago(now.Sub(a.LastHeartbeat))
	}
	if problems := healthProblems(a.Health); len(problems) > 0 {
		return "degraded", strings.Join(problems, "; ")
	}
	return "ok", ""
}

func ago(d time.Duration) string { return d.Round(time.Minute).String() + " ago" }

// healthProblems reads the agent's last heartbeat for what an admin
// should look at: sensors not running, sightings dropped.
func healthProblems(doc string) []string {
	if doc == "" {
		return nil
	}
	var hb pb.BeatRequest
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal([]byte(doc), &hb); err != nil {
		return []string{"heartbeat unreadable"}
	}
	var out []string
	for _, s := range hb.GetSensors() {
		switch s.GetState() {
		case "error", "stopped", "shed":
			out = append(out, fmt.Sprintf("sensor %s %s %s", Terminal(s.GetName()), s.GetState(), Terminal(s.GetDetail())))
		}
	}
	if n := hb.GetSpoolDroppedSightings(); n > 0 {
		out = append(out, fmt.Sprintf("dropped %d sightings (spool full)", n))
	}
	return out
}

// WriteEndpoints renders endpoints as table, json or csv.
func WriteEndpoints(w io.Writer, format string, eps []Endpoint) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if eps == nil {
			eps = []Endpoint{}
		}
		return enc.Encode(eps)
	case "csv":
		return writeEndpointsCSV(w, eps)
	case "table":
		return writeEndpointsTable(w, eps)
	}
	return fmt.Errorf("unknown format %q: use table, json or csv", format)
}

func writeEndpointsTable(w io.Writer, eps []Endpoint) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOSTNAME\tSTATUS\tOS\tVERSION\tLAST_HEARTBEAT\tAGENT\tDETAIL")
	silent := 0
	for _, e := range eps {
		if e.Status == "silent" {
			silent++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", Terminal(e.Hostname), e.Status, Terminal(e.OS),
			Terminal(e.AgentVersion), orDash(e.LastHeartbeat), e.AgentID, e.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d endpoints, %d silent\n", len(eps), silent)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeEndpointsCSV(w io.Writer, eps []Endpoint) error {
	rows := [][]string{{"agent_id", "host_id", "hostname", "os", "agent_version", "enrolled_at", "last_heartbeat", "last_seen", "status", "detail"}}
	for _, e := range eps {
		rows = append(rows, []string{e.AgentID, Cell(e.HostID), Cell(e.Hostname), Cell(e.OS), Cell(e.AgentVersion),
			e.EnrolledAt, e.LastHeartbeat, e.LastSeen, e.Status, Cell(e.Detail)})
	}
	return writeCSVRows(w, rows)
}
