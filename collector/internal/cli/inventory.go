package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shadowai/shadowai/collector/internal/config"
	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/server"
	"github.com/shadowai/shadowai/collector/internal/store"
)

func inventoryCmd(e env, args []string) error {
	fs := flags(e, "inventory")
	data, cfgFile := dataFlags(fs)
	format := fs.String("format", "table", "output format: table, json or csv")
	since := fs.String("since", "", "start of the window: YYYY-MM-DD, RFC 3339, or days back like 7d (UTC days)")
	until := fs.String("until", "", "end of the window, exclusive: YYYY-MM-DD, RFC 3339, or Nd")
	f := inventory.Filter{}
	fs.StringVar(&f.Service, "service", "", "only this service id")
	fs.StringVar(&f.Vendor, "vendor", "", "only services of this vendor")
	fs.StringVar(&f.Category, "category", "", "only services of this category")
	fs.StringVar(&f.Host, "host", "", "only this host (hostname or host id)")
	fs.StringVar(&f.User, "user", "", "only this user")
	fs.BoolVar(&f.Unsanctioned, "unsanctioned", false, "only services nobody sanctioned (unsanctioned or under review)")
	fs.BoolVar(&f.New, "new", false, "only what was first seen inside the window")
	fs.StringVar(&f.By, "by", "service", "one row per service, per service and host (host) or per service and user (user)")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many rows (0: all)")
	if err := parseWithData(fs, args, data); err != nil {
		return err
	}
	if err := checkFormat(*format, inventory.Formats...); err != nil {
		return err
	}
	var err error
	now := time.Now()
	if f.Since, err = inventory.ParseSince(*since, now); err != nil {
		return usagef("%v", err)
	}
	if f.Until, err = inventory.ParseUntil(*until, now); err != nil {
		return usagef("%v", err)
	}
	if err := f.Check(); err != nil {
		return usagef("%v", err)
	}
	st, cfg, err := openRead(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := inventoryOf(st, cfg).Run(context.Background(), f)
	if err != nil {
		return err
	}
	return inventory.Write(e.stdout, *format, f.By, res)
}

// dataFlags adds --data and --config.
func dataFlags(fs *flag.FlagSet) (data, cfgFile *string) {
	data = fs.String("data", "", "collector data directory")
	cfgFile = fs.String("config", "", "configuration file (default: DATA/collector.yaml when present)")
	return data, cfgFile
}

// openRead opens an initialised data directory's database and
// configuration.
func openRead(dir, cfgFile string) (*store.Store, config.Config, error) {
	cfg, err := config.Load(dir, cfgFile)
	if err != nil {
		return nil, cfg, err
	}
	st, err := openExisting(dir)
	return st, cfg, err
}

// openExisting opens the database of a data directory that serve has
// already initialised.
func openExisting(dir string) (*store.Store, error) {
	path := filepath.Join(dir, server.DatabaseFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no collector database in %s: start `shadowai-collector serve --data %s` first", dir, dir)
	}
	return store.Open(path)
}

func inventoryOf(st *store.Store, cfg config.Config) *inventory.Inventory {
	return &inventory.Inventory{Store: st, Policy: cfg.Policy}
}
