// Package procscan lists running processes and recognises AI tools among
// them with the catalog's process signatures.
//
// Scan reads the process table (Linux: /proc; Windows and macOS: gopsutil)
// and Match turns it into observations: one per running app, not one per
// Electron helper, with the command line reduced to the executable and the
// arguments that matched, so prompts, tokens and file names typed on a
// command line never leave the host.
package procscan

import "time"

// Proc is what the scanner learns about one process.
type Proc struct {
	PID, PPID int
	// Name is the kernel's short name (comm) or the image name. Node CLIs
	// may rename their main thread (Copilot CLI shows "MainThread").
	Name string
	// Exe is the executable path; empty when it cannot be read (kernel
	// threads, other users' processes without privileges).
	Exe  string
	Args []string
	UID  string
	User string
	// Start is when the process started; zero when unknown.
	Start time.Time
	// AppBundle (macOS .app path) and AppX (Windows package family) come
	// from the executable path; the catalog's bundle_id and appx patterns
	// need them (see AppBundle, AppXFamily).
	AppBundle, AppX string
}

// Stats counts what one scan read and skipped. Nothing is skipped silently.
type Stats struct {
	Processes int
	// Vanished processes exited while being read.
	Vanished int
	// Unreadable entries could not be read (permissions, hidepid).
	Unreadable int
	// NoExe processes whose executable path could not be read (kernel
	// threads, other users' processes when not privileged).
	NoExe int
	// Truncated command lines were longer than MaxCmdline and were cut.
	Truncated int
	// BadEncoding counts names, paths and arguments that were not valid
	// UTF-8; the invalid bytes are replaced by U+FFFD.
	BadEncoding int
}

// MaxCmdline bounds how much of one command line is read.
const MaxCmdline = 64 << 10
