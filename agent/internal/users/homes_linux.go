package users

import (
	"os"
	"strconv"
	"syscall"
)

func (d *DB) homes() ([]User, error) {
	out := d.passwdHomes()
	known := map[string]bool{}
	for _, u := range out {
		known[u.Dir] = true
	}
	for _, u := range d.dirHomes("/home", nil) {
		if known[u.Dir] {
			continue
		}
		if fi, err := os.Stat(u.Dir); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				// Named after the folder: a directory-service account the
				// password file does not list is named so by convention.
				u.UID = strconv.FormatUint(uint64(st.Uid), 10)
			}
		}
		out = append(out, u)
	}
	return out, nil
}
