// Package localllm finds local LLM runtimes, which may never touch the
// network: listening sockets of runtime processes (Ollama on 11434, LM
// Studio on 1234, llama.cpp server on 8080, ...) and model stores on disk
// with their total size.
//
// A listener counts only when its owning process matches a runtime in the
// catalog: a port number alone proves nothing (8080 is everyone's port).
// Model stores are measured from directory entries; model files are never
// opened.
package localllm

import (
	"strconv"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/agent/internal/procscan"
	"github.com/shadowai/shadowai/agent/internal/sockets"
	"github.com/shadowai/shadowai/signatures"
)

// Catalog is what the detectors need of the signature catalog.
type Catalog interface {
	MatchProcess(p signatures.Process) *signatures.Service
	ServicesOnPort(port int) []*signatures.Service
	Lookup(id string) *signatures.Service
}

// Attribute keys.
const (
	AttrAddr        = "addr"         // listening address and port
	AttrDefaultPort = "default_port" // "true" when the port is the runtime's catalog port
	AttrPath        = "path"         // model store directory
	AttrBytes       = "bytes"        // total size of the store's files
	AttrFiles       = "files"        // number of files in the store
	AttrTruncated   = "truncated"    // "true" when the walk stopped at MaxFiles
)

// ListenerStats counts listening sockets by outcome.
type ListenerStats struct {
	Listening int
	// Confirmed listeners belong to a runtime process; a process listening
	// on IPv4 and IPv6 is one.
	Confirmed int
	// Unconfirmed listeners are on a runtime's catalog port but their
	// process is not that runtime (or could not be read): not reported.
	Unconfirmed int
}

// Listeners reports the TCP listening sockets owned by a process that
// matches a local runtime of the catalog, once per process and port.
// procs is a recent process scan; processes missing from it are skipped.
func Listeners(cat Catalog, socks []sockets.Socket, procs []procscan.Proc, t time.Time) ([]observe.Observation, ListenerStats) {
	byPID := make(map[int]*procscan.Proc, len(procs))
	for i := range procs {
		byPID[procs[i].PID] = &procs[i]
	}
	type key struct{ pid, port int }
	seen := map[key]bool{}
	var st ListenerStats
	var out []observe.Observation
	for _, s := range socks {
		if !s.Listen {
			continue
		}
		st.Listening++
		port := int(s.Local.Port())
		svc, p := runtimeOf(cat, byPID[s.PID])
		if svc == nil {
			if len(cat.ServicesOnPort(port)) > 0 {
				st.Unconfirmed++
			}
			continue
		}
		if k := (key{s.PID, port}); !seen[k] {
			seen[k] = true
			st.Confirmed++
			out = append(out, listener(svc, p, s, t))
		}
	}
	return out, st
}

// runtimeOf returns the runtime a process is, if the catalog gives it
// listening ports (the mark of a local runtime).
func runtimeOf(cat Catalog, p *procscan.Proc) (*signatures.Service, *procscan.Proc) {
	if p == nil {
		return nil, nil
	}
	svc := cat.MatchProcess(p.Signature())
	if svc == nil || len(svc.Ports) == 0 {
		return nil, nil
	}
	return svc, p
}

func listener(svc *signatures.Service, p *procscan.Proc, s sockets.Socket, t time.Time) observe.Observation {
	def := false
	for _, port := range svc.Ports {
		def = def || port == int(s.Local.Port())
	}
	return observe.Observation{
		Time: t, Source: observe.Listener, Service: svc, PID: p.PID, Exe: p.Exe, Process: p.Name, User: p.User,
		Transport: s.Transport, DstIP: s.Local.Addr(), DstPort: s.Local.Port(),
		Attrs: map[string]string{AttrAddr: s.Local.String(), AttrDefaultPort: strconv.FormatBool(def)},
	}
}
