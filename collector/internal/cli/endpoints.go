package cli

import (
	"context"
	"time"

	"github.com/shadowai/shadowai/collector/internal/inventory"
)

func endpointsCmd(e env, args []string) error {
	fs := flags(e, "endpoints")
	data, cfgFile := dataFlags(fs)
	format := fs.String("format", "table", "output format: table, json or csv")
	silent := fs.Duration("silent-after", 0, "flag endpoints without a heartbeat for this long (default: endpoints.silent_after, 15m)")
	if err := parseWithData(fs, args, data); err != nil {
		return err
	}
	if err := checkFormat(*format, inventory.Formats...); err != nil {
		return err
	}
	if *silent < 0 {
		return usagef("--silent-after must not be negative")
	}
	st, cfg, err := openRead(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer st.Close()
	after := cfg.Endpoints.SilentAfter.Duration
	if *silent > 0 {
		after = *silent
	}
	eps, err := inventory.Endpoints(context.Background(), st, after, time.Now())
	if err != nil {
		return err
	}
	return inventory.WriteEndpoints(e.stdout, *format, eps)
}
