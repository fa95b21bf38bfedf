package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/store"
)

// agentsCmd is `shadowai-collector agents list|revoke`.
func agentsCmd(e env, args []string) error {
	const usage = "usage: shadowai-collector agents list --data DIR | agents revoke ID --data DIR"
	if len(args) == 0 {
		return usagef("%s", usage)
	}
	switch args[0] {
	case "list":
		return agentsList(e, args[1:])
	case "revoke":
		if len(args) < 2 || len(args[1]) == 0 || args[1][0] == '-' {
			return usagef("agents revoke needs the agent id first: shadowai-collector agents revoke ID --data DIR (ids: agents list)")
		}
		return agentsRevoke(e, args[1], args[2:])
	}
	return usagef("unknown agents command %q: %s", args[0], usage)
}

func agentsRevoke(e env, id string, args []string) error {
	fs := flags(e, "agents revoke")
	data := fs.String("data", "", "collector data directory")
	if err := parseWithData(fs, args, data); err != nil {
		return err
	}
	st, err := openExisting(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	at, err := st.RevokeAgent(context.Background(), id, time.Now())
	switch {
	case errors.Is(err, store.ErrNoAgent):
		return fmt.Errorf("no agent %q in %s: `shadowai-collector agents list --data %s` shows the ids", id, *data, *data)
	case errors.Is(err, store.ErrAlreadyRevoked):
		fmt.Fprintf(e.stdout, "agent %s was already revoked at %s\n", id, at.UTC().Format(time.RFC3339))
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "agent %s revoked at %s: its next connection is refused\n", id, at.UTC().Format(time.RFC3339))
	return nil
}

// agentJSON is one agent in `agents list --format json`.
type agentJSON struct {
	ID           string `json:"id"`
	HostID       string `json:"host_id"`
	Hostname     string `json:"hostname"`
	OS           string `json:"os"`
	Version      string `json:"version"`
	LastSeen     string `json:"last_seen"`
	CertNotAfter string `json:"cert_not_after"`
	RevokedAt    string `json:"revoked_at"`
	Batches      uint64 `json:"batches"`
	Dropped      uint64 `json:"dropped"`
}

func agentsList(e env, args []string) error {
	fs := flags(e, "agents list")
	data := fs.String("data", "", "collector data directory")
	format := fs.String("format", "table", "output format: table or json")
	if err := parseWithData(fs, args, data); err != nil {
		return err
	}
	if err := checkFormat(*format, "table", "json"); err != nil {
		return err
	}
	st, err := openExisting(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	agents, err := st.Agents(context.Background())
	if err != nil {
		return err
	}
	if *format == "json" {
		out := make([]agentJSON, 0, len(agents))
		for _, a := range agents {
			out = append(out, agentJSON{a.ID, a.HostID, a.Hostname, a.OS, a.Version, stamp(a.LastSeen), stamp(a.CertNotAfter), stamp(a.RevokedAt), a.Batches, a.Dropped})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHOSTNAME\tOS\tVERSION\tLAST SEEN\tCERT EXPIRES\tREVOKED\tBATCHES\tDROPPED")
	for _, a := range agents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", a.ID, inventory.Terminal(a.Hostname), inventory.Terminal(a.OS),
			inventory.Terminal(a.Version), stamp(a.LastSeen), stamp(a.CertNotAfter), stamp(a.RevokedAt), a.Batches, a.Dropped)
	}
	return tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
