package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// tmpPrefix marks files being written; Open removes leftovers, which are
// writes a crash or power cut interrupted before they were complete.
const tmpPrefix = ".tmp-"

// writeDurable writes data to dir/name so that after a crash or power cut
// the file is either absent or complete: temporary file, fsync, rename,
// fsync of the directory.
func writeDurable(dir, name string, data []byte) error { return writeFile(dir, name, data, true) }

// writeFile is writeDurable with the directory sync optional.
func writeFile(dir, name string, data []byte, syncdir bool) error {
	f, err := os.CreateTemp(dir, tmpPrefix+name+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if !syncdir {
		return nil
	}
	return syncDir(dir)
}

// syncDir makes renames and removals in dir durable. Windows has no
// directory fsync; NTFS journals the rename itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

func isTemp(name string) bool { return strings.HasPrefix(name, tmpPrefix) }
