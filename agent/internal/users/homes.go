package users

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// notHomes are home fields of system accounts that are not anyone's home.
var notHomes = map[string]bool{"": true, "/": true, "/nonexistent": true, "/dev/null": true, "/var/empty": true, "/bin": true, "/sbin": true, "/usr/sbin": true}

// lookupOS names a uid the password file does not know. Directory services
// (LDAP, AD) are not consulted: the agent runs without cgo and NSS. The id
// itself is returned so the report stays true.
func lookupOS(_, uid string) string { return uid }

// Homes lists every local user's home directory that exists, each once.
// On Linux these are the password file's accounts plus directories under
// /home that belong to accounts it does not list (LDAP users); on macOS the
// folders in /Users; on Windows the folders in C:\Users.
func (d *DB) Homes() ([]User, error) {
	us, err := d.homes()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := us[:0]
	for _, u := range us {
		if seen[u.Dir] {
			continue
		}
		seen[u.Dir] = true
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Dir, b.Dir) })
	return out, nil
}

// passwdHomes are the password file's accounts whose home exists under root.
func (d *DB) passwdHomes() []User {
	var out []User
	for _, u := range d.Accounts() {
		if notHomes[filepath.Clean(u.Home)] || !filepath.IsAbs(u.Home) {
			continue
		}
		u.Dir = d.under(u.Home)
		if fi, err := os.Stat(u.Dir); err == nil && fi.IsDir() {
			out = append(out, u)
		}
	}
	return out
}

// dirHomes lists the folders directly under base (as the host knows it)
// as homes named after the folder, skipping the ones in skip and hidden
// ones.
func (d *DB) dirHomes(base string, skip map[string]bool) []User {
	entries, err := os.ReadDir(d.under(base))
	if err != nil {
		return nil
	}
	var out []User
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || skip[strings.ToLower(n)] || strings.HasPrefix(n, ".") {
			continue
		}
		home := filepath.Join(base, n)
		out = append(out, User{Name: n, Home: home, Dir: d.under(home)})
	}
	return out
}

// under returns where path of the host is read: itself on the real system,
// inside the root otherwise.
func (d *DB) under(path string) string {
	if d.root == "/" {
		return path
	}
	return filepath.Join(d.root, path)
}
