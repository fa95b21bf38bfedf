package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func backupCmd(e env, args []string) error {
	fs := flags(e, "backup")
	data := fs.String("data", "", "collector data directory")
	out := fs.String("out", "", "file to write the backup to (must not exist)")
	if err := parseWithData(fs, args, data); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required: where to write the backup")
	}
	if _, err := os.Stat(*out); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s already exists: choose a new file, a backup never overwrites", *out)
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	st, err := openExisting(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(context.Background(), abs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s\nit holds the database only: keep ca.crt and ca.key of %s safe separately\n", abs, *data)
	return nil
}
