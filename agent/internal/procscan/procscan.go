// Package procscan lists running processes and recognises AI tools among
// them with the catalog's process signatures.
package procscan

import (
	"runtime"
	"time"

	"github.com/shadowai/shadowai/agent/internal/observe"
	"github.com/shadowai/shadowai/signatures"
)

// Proc is what the scanner learns about one process.
type Proc struct {
	PID, PPID int
	// Name is the kernel's short name (comm).
	Name string
	// Exe is the executable path; empty when it cannot be read.
	Exe  string
	Args []string
	UID  string
	User string
}

// Stats counts what one scan read and skipped.
type Stats struct {
	Processes int
	// Vanished processes exited while being read.
	Vanished int
	// Unreadable entries could not be read (permissions).
	Unreadable int
}

// Matcher recognises a process.
type Matcher interface {
	MatchProcess(p signatures.Process) *signatures.Service
}

// Match turns the processes that match a catalog service into
// observations stamped with t.
func Match(m Matcher, procs []Proc, t time.Time) []observe.Observation {
	var out []observe.Observation
	for _, p := range procs {
		svc := m.MatchProcess(signatures.Process{OS: runtime.GOOS, Name: p.Name, Exe: p.Exe, Args: p.Args})
		if svc == nil {
			continue
		}
		out = append(out, observe.Observation{
			Time: t, Source: observe.Process, Service: svc, PID: p.PID, Exe: p.Exe, Process: p.Name, User: p.User,
		})
	}
	return out
}
