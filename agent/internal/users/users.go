// Package users knows the local accounts: user names for numeric ids (so
// process and socket owners can be named) and every user's home directory
// (so extension and model-store inventories cover everyone on the host, not
// only the account the agent runs as).
package users

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// User is one local account with a home directory.
type User struct {
	Name string
	UID  string
	// Home is the home directory as the host knows it ("/home/alice").
	Home string
	// Dir is where to read it: Home under the DB's root.
	Dir string
}

// DB resolves user ids to names. It reads the password file under its root
// and re-reads it when the file changes; it is safe for concurrent use.
type DB struct {
	root string

	mu     sync.Mutex // guards byUID, mtime, loaded
	byUID  map[string]User
	mtime  time.Time
	loaded time.Time
}

// Open returns a DB for the system rooted at root ("/" or "" for the real
// one; a directory with etc/passwd and home/ for tests).
func Open(root string) *DB {
	if root == "" {
		root = "/"
	}
	return &DB{root: root}
}

// Root is the directory every path is read under.
func (d *DB) Root() string { return d.root }

// Name returns the user name for a numeric id, or the id itself when no
// account has it: an unknown user is shown as what it is, not guessed.
func (d *DB) Name(uid string) string {
	if uid == "" {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refreshLocked()
	if u, ok := d.byUID[uid]; ok {
		return u.Name
	}
	return lookupOS(d.root, uid)
}

// Accounts lists every account of the password file.
func (d *DB) Accounts() []User {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refreshLocked()
	out := make([]User, 0, len(d.byUID))
	for _, u := range d.byUID {
		out = append(out, u)
	}
	return out
}

// refreshLocked re-reads the password file at most once a second, and only
// when its modification time changed.
func (d *DB) refreshLocked() {
	now := time.Now()
	if d.byUID != nil && now.Sub(d.loaded) < time.Second {
		return
	}
	d.loaded = now
	path := filepath.Join(d.root, "etc", "passwd")
	fi, err := os.Stat(path)
	if err != nil {
		if d.byUID == nil {
			d.byUID = map[string]User{}
		}
		return
	}
	if d.byUID != nil && fi.ModTime().Equal(d.mtime) {
		return
	}
	b, err := readBounded(path, 16<<20)
	if err != nil {
		if d.byUID == nil {
			d.byUID = map[string]User{}
		}
		return
	}
	d.mtime = fi.ModTime()
	d.byUID = ParsePasswd(b)
}

// ParsePasswd reads passwd(5) lines: name:password:uid:gid:gecos:home:shell.
// Malformed lines are skipped; the first account of a uid wins, as in libc.
func ParsePasswd(b []byte) map[string]User {
	m := map[string]User{}
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if len(line) == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		f := strings.Split(string(line), ":")
		if len(f) < 7 || f[0] == "" || !digits(f[2]) {
			continue
		}
		if _, dup := m[f[2]]; dup {
			continue
		}
		m[f[2]] = User{Name: f[0], UID: f[2], Home: f[5]}
	}
	return m
}

func digits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// readBounded reads at most limit bytes of a file and fails if it is longer.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readAllLimit(f, limit)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}
