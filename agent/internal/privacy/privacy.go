// Package privacy reduces what endpoint sensors report to metadata before
// it leaves the host: user names can be replaced by a keyed hash, and paths
// inside home directories lose the user name when they are.
//
// Command lines never get this far whole: the process sensor keeps only the
// executable and the arguments that matched a signature (see procscan).
package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/observe"
)

// Options choose what is hidden.
type Options struct {
	// HashUsers replaces every user name by "hash:" and 16 hex digits.
	HashUsers bool
	// Key keys the hash (HMAC-SHA-256). Use the same key on every host so
	// one person has one hash across the fleet. Without a key the hash is a
	// plain SHA-256, stable everywhere but open to anyone who can guess
	// names from a list: set a key.
	Key string
}

// Filter applies Options. The zero value and nil change nothing.
type Filter struct {
	opts Options
}

// New returns a Filter for o.
func New(o Options) *Filter { return &Filter{opts: o} }

// Hashing says whether user names are hashed.
func (f *Filter) Hashing() bool { return f != nil && f.opts.HashUsers }

// User returns the name to report for a local user.
func (f *Filter) User(name string) string {
	if !f.Hashing() || name == "" {
		return name
	}
	var sum []byte
	if f.opts.Key == "" {
		s := sha256.Sum256([]byte("shadowai-user\x00" + name))
		sum = s[:]
	} else {
		m := hmac.New(sha256.New, []byte(f.opts.Key))
		m.Write([]byte(name))
		sum = m.Sum(nil)
	}
	return "hash:" + hex.EncodeToString(sum[:8])
}

// Path returns p with the home directory prefix replaced by "~" when user
// names are hashed, since /home/alice/... names alice.
func (f *Filter) Path(p string) string {
	if !f.Hashing() {
		return p
	}
	return StripHome(p)
}

// Apply filters an observation in place.
func (f *Filter) Apply(o *observe.Observation) {
	if !f.Hashing() {
		return
	}
	o.User = f.User(o.User)
	o.Exe = StripHome(o.Exe)
	for k, v := range o.Attrs {
		if s := StripHome(v); s != v {
			o.Attrs[k] = s
		}
	}
}

// homeBases are the directories whose children are home directories.
var homeBases = []string{"/home/", "/Users/", "/var/home/", "/export/home/"}

// StripHome replaces a leading home directory (/home/NAME, /Users/NAME,
// /root, C:\Users\NAME) with "~", and does so for every path inside a
// space-separated command line.
func StripHome(s string) string {
	if !strings.ContainsAny(s, `/\`) {
		return s
	}
	parts := strings.Split(s, " ")
	for i, p := range parts {
		parts[i] = stripOne(p)
	}
	return strings.Join(parts, " ")
}

func stripOne(p string) string {
	for _, b := range homeBases {
		if i := strings.Index(p, b); i >= 0 {
			return p[:i] + "~" + afterName(p[i+len(b):], '/')
		}
	}
	if p == "/root" || strings.HasPrefix(p, "/root/") {
		return "~" + p[len("/root"):]
	}
	if len(p) > 3 && p[1] == ':' && p[2] == '\\' && strings.HasPrefix(strings.ToLower(p[3:]), `users\`) {
		return "~" + afterName(p[len(`C:\Users\`):], '\\')
	}
	return p
}

// afterName drops the first path element (the user name) of rest.
func afterName(rest string, sep byte) string {
	if i := strings.IndexByte(rest, sep); i >= 0 {
		return rest[i:]
	}
	return ""
}
