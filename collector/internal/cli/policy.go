package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/store"
)

const policyUsage = "usage: shadowai-collector policy set SERVICE sanctioned|unsanctioned|under-review --data DIR, or policy list --data DIR"

func policyCmd(e env, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "list") {
		return usagef(policyUsage)
	}
	fs := flags(e, "policy "+args[0])
	data, cfgFile := dataFlags(fs)
	pos, err := parseMixed(fs, args[1:])
	if err != nil {
		return err
	}
	if err := requireData(*data); err != nil {
		return err
	}
	st, cfg, err := openRead(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer st.Close()
	inv := &inventory.Inventory{Store: st, Policy: cfg.Policy}
	if args[0] == "list" {
		if len(pos) > 0 {
			return usagef("policy list takes no arguments")
		}
		return listPolicies(e, inv)
	}
	return setPolicy(e, inv, pos)
}

func setPolicy(e env, inv *inventory.Inventory, pos []string) error {
	if len(pos) != 2 {
		return usagef(policyUsage)
	}
	svc, pol := pos[0], pos[1]
	if !store.ValidPolicy(pol) {
		return usagef("unknown policy %q: use sanctioned, unsanctioned or under-review", pol)
	}
	ctx := context.Background()
	known, err := knownServices(ctx, inv.Store)
	if err != nil {
		return err
	}
	if !slices.Contains(known, svc) {
		return usagef("unknown service %q: use a catalog id as `shadowai-collector policy list` shows it", svc)
	}
	if err := inv.Store.SetPolicy(ctx, svc, pol); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s\n", svc, pol)
	return nil
}

func knownServices(ctx context.Context, st *store.Store) ([]string, error) {
	svcs, err := st.Services(ctx)
	if err != nil {
		return nil, err
	}
	seen, err := st.SeenServices(ctx)
	for _, s := range svcs {
		seen = append(seen, s.ID)
	}
	return seen, err
}

func listPolicies(e env, inv *inventory.Inventory) error {
	ctx := context.Background()
	svcs, err := inv.Store.Services(ctx)
	if err != nil {
		return err
	}
	explicit, err := inv.Store.Policies(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tCATEGORY\tPOLICY\tFROM")
	for _, s := range svcs {
		from := "category default"
		if explicit[s.ID] != "" {
			from = "set"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.Category, inv.Policy.For(explicit[s.ID], s.Category), from)
	}
	return tw.Flush()
}

// parseMixed parses flags that may come before, between or after
// positional arguments, and returns the positional ones.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		var rest []string
		for len(args) > 0 && !isFlag(args[0]) {
			pos, args = append(pos, args[0]), args[1:]
		}
		if err := parseKeep(fs, args); err != nil {
			return nil, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		args = rest
	}
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }
