package cli

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shadowai/shadowai/collector/internal/bundles"
	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/store"
)

const signaturesUsage = "usage: shadowai-collector signatures publish FILE --data DIR | signatures status --data DIR [--format table|json]"

func signaturesCmd(e env, args []string) error {
	if len(args) == 0 {
		return usagef(signaturesUsage)
	}
	switch args[0] {
	case "publish":
		return publishCmd(e, args[1:])
	case "status":
		return signaturesStatusCmd(e, args[1:])
	}
	return usagef("unknown signatures command %q; %s", args[0], signaturesUsage)
}

// publishCmd signs a catalog tree (a directory or a .zip with VERSION and
// vendors/*.yaml, the layout of the repository's signatures/ folder) and
// makes it the current bundle.
func publishCmd(e env, args []string) error {
	file, rest := splitFileArg(args)
	fset := flags(e, "signatures publish")
	data := fset.String("data", "", "collector data directory")
	if err := parse(fset, rest); err != nil {
		return err
	}
	if err := requireData(*data); err != nil {
		return err
	}
	if file == "" {
		return usagef("signatures publish needs FILE: a catalog directory or .zip with VERSION and vendors/*.yaml")
	}
	tree, closeTree, err := openTree(file)
	if err != nil {
		return err
	}
	defer closeTree()
	st, err := openExisting(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := bundles.LoadOrCreateKey(*data)
	if err != nil {
		return err
	}
	b, cat, err := bundles.Publish(context.Background(), st, key, tree)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	fmt.Fprintf(e.stdout, "published signature bundle %s (%d services, sha256 %s); agents switch to it at their next heartbeat\n",
		b.Version, len(cat.Services()), b.SHA256)
	return nil
}

// splitFileArg takes the one positional argument, before or after the flags.
func splitFileArg(args []string) (file string, rest []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") && (n < 2 || args[n-2] != "--data" && args[n-2] != "-data") {
		return args[n-1], args[:n-1]
	}
	return "", args
}

func openTree(path string) (fs.FS, func(), error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("catalog %w", err)
	}
	if info.IsDir() {
		return os.DirFS(path), func() {}, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is neither a directory nor a .zip catalog: %w", path, err)
	}
	return zr, func() { zr.Close() }, nil
}

// statusRow is one line of `signatures status`.
type statusRow struct {
	Kind          string `json:"kind"` // "bundle" or "agent"
	Version       string `json:"version"`
	Current       bool   `json:"current,omitempty"`
	SHA256        string `json:"sha256,omitempty"`
	PublishedAt   string `json:"published_at,omitempty"`
	AgentID       string `json:"agent_id,omitempty"`
	Hostname      string `json:"hostname,omitempty"`
	LastHeartbeat string `json:"last_heartbeat,omitempty"`
	RunsCurrent   bool   `json:"runs_current,omitempty"`
}

// signaturesStatusCmd lists the published bundles and the catalog version
// each agent last reported.
func signaturesStatusCmd(e env, args []string) error {
	fset := flags(e, "signatures status")
	data := fset.String("data", "", "collector data directory")
	format := fset.String("format", "table", "output format: table or json")
	if err := parseWithData(fset, args, data); err != nil {
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
	rows, err := statusRows(context.Background(), st)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return writeStatusTable(e, rows)
}

func statusRows(ctx context.Context, st *store.Store) ([]statusRow, error) {
	bs, err := st.Bundles(ctx)
	if err != nil {
		return nil, err
	}
	agents, err := st.AgentCatalogs(ctx)
	if err != nil {
		return nil, err
	}
	rows := []statusRow{}
	current := ""
	for _, b := range bs {
		if b.Current {
			current = b.Version
		}
		rows = append(rows, statusRow{Kind: "bundle", Version: b.Version, Current: b.Current, SHA256: b.SHA256, PublishedAt: b.PublishedAt.UTC().Format(time.RFC3339)})
	}
	for _, a := range agents {
		rows = append(rows, statusRow{Kind: "agent", Version: a.CatalogVersion, AgentID: a.AgentID, Hostname: a.Hostname,
			LastHeartbeat: a.LastHeartbeat.UTC().Format(time.RFC3339), RunsCurrent: current != "" && a.CatalogVersion == current})
	}
	return rows, nil
}

func writeStatusTable(e env, rows []statusRow) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tVERSION\tCURRENT\tHOST\tAGENT\tWHEN")
	for _, r := range rows {
		when, cur := r.PublishedAt, ""
		if r.Kind == "agent" {
			when = r.LastHeartbeat
		}
		if r.Current || r.RunsCurrent {
			cur = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Kind, inventory.Terminal(r.Version), dashIfEmpty(cur),
			dashIfEmpty(inventory.Terminal(r.Hostname)), dashIfEmpty(r.AgentID), when)
	}
	return tw.Flush()
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
