package users

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

func (d *DB) homes() ([]User, error) {
	out := d.passwdHomes()
	known := map[string]bool{}
	for _, u := range out {
		known[u.Home] = true
	}
	for _, u := range dirHomes(filepath.Join(d.root, "home"), nil) {
		if known[u.Home] {
			continue
		}
		if fi, err := os.Stat(u.Home); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				u.UID = strconv.FormatUint(uint64(st.Uid), 10)
				if n := d.Name(u.UID); n != u.UID {
					u.Name = n
				}
			}
		}
		out = append(out, u)
	}
	return out, nil
}
