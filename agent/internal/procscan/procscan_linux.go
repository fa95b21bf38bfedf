package procscan

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// maxCmdline bounds how much of a command line is read.
const maxCmdline = 64 << 10

// Scan reads every process under root (normally "/proc").
func Scan(root string) ([]Proc, Stats, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, Stats{}, err
	}
	users := map[string]string{}
	var st Stats
	var out []Proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		p, err := readProc(filepath.Join(root, e.Name()), pid)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			st.Vanished++
			continue
		case err != nil:
			st.Unreadable++
			continue
		}
		p.User = lookupUser(users, p.UID)
		out = append(out, p)
	}
	st.Processes = len(out)
	return out, st, nil
}

func readProc(dir string, pid int) (Proc, error) {
	p := Proc{PID: pid}
	comm, err := os.ReadFile(filepath.Join(dir, "comm"))
	if err != nil {
		return p, err
	}
	p.Name = strings.TrimSpace(string(comm))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return p, err
	}
	p.UID, p.PPID = parseStatus(status)
	p.Exe, _ = os.Readlink(filepath.Join(dir, "exe")) // kernel threads and others' processes: no exe
	p.Exe = strings.TrimSuffix(p.Exe, " (deleted)")
	p.Args = readCmdline(filepath.Join(dir, "cmdline"))
	return p, nil
}

func parseStatus(b []byte) (uid string, ppid int) {
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		k, v, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		switch string(k) {
		case "Uid":
			if f := strings.Fields(string(v)); len(f) > 0 {
				uid = f[0]
			}
		case "PPid":
			ppid, _ = strconv.Atoi(strings.TrimSpace(string(v)))
		}
	}
	return uid, ppid
}

func readCmdline(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, maxCmdline)
	n, _ := f.Read(buf)
	b := bytes.TrimRight(buf[:n], "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

func lookupUser(cache map[string]string, uid string) string {
	if uid == "" {
		return ""
	}
	if name, ok := cache[uid]; ok {
		return name
	}
	name := uid
	if u, err := user.LookupId(uid); err == nil {
		name = u.Username
	}
	cache[uid] = name
	return name
}

// DefaultRoot is where the OS exposes processes.
const DefaultRoot = "/proc"
