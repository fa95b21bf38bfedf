package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/server"
	"github.com/shadowai/shadowai/collector/internal/store"
)

func inventoryCmd(e env, args []string) error {
	fs := flags(e, "inventory")
	data := fs.String("data", "", "collector data directory")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireData(*data); err != nil {
		return err
	}
	if *format != "table" && *format != "json" && *format != "csv" {
		return usagef("unknown --format %q: use table, json or csv", *format)
	}
	st, err := openExisting(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.Inventory(context.Background())
	if err != nil {
		return err
	}
	return inventory.Write(e.stdout, *format, rows)
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
