// Package cli is the shadowai-agent command line: it parses flags and
// calls into the agent's packages.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Version is set at build time.
var Version = "dev"

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (e env) log() *slog.Logger { return e.logAt("info") }

// usageError marks a command-line mistake: exit status 2.
type usageError string

func (u usageError) Error() string { return string(u) }

var commands = []struct {
	name, summary string
	run           func(env, []string) error
}{
	{"scan", "one-off scan: --pcap FILE or --processes; prints observations", scan},
	{"classify", "which AI service, if any, each domain name belongs to", classify},
	{"enroll", "enroll with a collector using a one-time token", enroll},
	{"run", "stream sightings to the collector (live, or --pcap FILE)", run},
	{"install", "install the agent as an OS service (systemd, launchd, Windows)", installCmd},
	{"uninstall", "remove the OS service (the state directory is kept)", uninstallCmd},
	{"start", "start the installed service", startCmd},
	{"stop", "stop the service", stopCmd},
	{"restart", "restart the service", restartCmd},
	{"status", "service state, enrollment, certificate expiry, spool depth and drops", statusCmd},
	{"config", "config check: validate the configuration file and print the effective settings", configCmd},
	{"version", "print the version", func(e env, _ []string) error { _, err := fmt.Fprintln(e.stdout, Version); return err }},
}

// Main runs the command line and returns the process exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: shadowai-agent COMMAND [flags]\n\ncommands:")
		for _, c := range commands {
			fmt.Fprintf(stderr, "  %-9s %s\n", c.name, c.summary)
		}
		fmt.Fprintln(stderr, "\nRun `shadowai-agent COMMAND -h` for a command's flags.")
		return map[bool]int{true: 2, false: 0}[len(args) == 0]
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(e, args[1:])
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "shadowai-agent %s: %s\n", c.name, strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; "))
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "shadowai-agent: unknown command %q: run `shadowai-agent help` for the list\n", args[0])
	return 2
}

// parseFlags parses args into fs; mistakes become one-line usage errors,
// -h prints the flags. Positional arguments are allowed only when
// positional is set.
func parseFlags(e env, fs *flag.FlagSet, args []string, positional bool) error {
	fs.Init(fs.Name(), flag.ContinueOnError)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stderr)
			fmt.Fprintf(e.stderr, "usage of shadowai-agent %s:\n", fs.Name())
			fs.PrintDefaults()
			return flag.ErrHelp
		}
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usageError(fmt.Sprintf("%v (run `shadowai-agent %s -h` for help)", err, fs.Name()))
	}
	if !positional && fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected argument %q (run `shadowai-agent %s -h` for help)", fs.Arg(0), fs.Name()))
	}
	return nil
}

func checkFormat(f string, allowed ...string) error {
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return usageError(fmt.Sprintf("unknown --format %q: use %s", f, strings.Join(allowed, " or ")))
}
