// Package cli is the shadowai-collector command line: it parses flags and
// calls into the collector's packages.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// Version is set at build time.
var Version = "dev"

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errUsage marks a command-line mistake; Main exits 2 for it.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usagef(format string, a ...any) error { return errUsage{fmt.Sprintf(format, a...)} }

type command struct {
	name, summary string
	run           func(e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the collector: mTLS gRPC for agents, SQLite inventory", serve},
		{"token", "create a one-time enrollment token (token create)", tokenCmd},
		{"inventory", "list AI services in use, by service, host or user, with filters", inventoryCmd},
		{"signatures", "publish a signed signature bundle (signatures publish FILE), or show which agents run it", signaturesCmd},
		{"endpoints", "list endpoints with health and last heartbeat; flags silent ones", endpointsCmd},
		{"policy", "set or list service policies (policy set SERVICE sanctioned|unsanctioned|under-review)", policyCmd},
		{"report", "write the weekly shadow-AI report (report weekly --out DIR)", reportCmd},
		{"backup", "write an online backup of the database (backup --out FILE)", backupCmd},
		{"admin", "issue an admin client certificate for the gRPC and HTTP APIs (admin cert)", adminCmd},
		{"agents", "list enrolled agents, or revoke one (agents revoke ID)", agentsCmd},
		{"version", "print the version", func(e env, _ []string) error { fmt.Fprintln(e.stdout, Version); return nil }},
	}
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(stderr, c.run(e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "shadowai-collector: unknown command %q: run `shadowai-collector help` for the list\n", args[0])
	return 2
}

func exitCode(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "shadowai-collector: %s\n", oneLine(err.Error()))
	var u errUsage
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: shadowai-collector COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `shadowai-collector COMMAND -h` for a command's flags.")
}

// flags returns a FlagSet that reports mistakes as one-line usage errors
// instead of printing its whole usage and exiting.
func flags(e env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("shadowai-collector "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := parseKeep(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (run `%s -h` for help)", fs.Arg(0), fs.Name())
	}
	return nil
}

// parseKeep parses flags and leaves positional arguments in fs.Args().
func parseKeep(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprintf(fs.Output(), "usage of %s:\n", fs.Name())
			fs.PrintDefaults()
			return flag.ErrHelp
		}
	}
	out := fs.Output()
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return usagef("%v (run `%s -h` for help)", err, fs.Name())
	}
	return nil
}

// parseWithData parses args and requires --data.
func parseWithData(fs *flag.FlagSet, args []string, data *string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	return requireData(*data)
}

// checkFormat refuses an output format the command does not write.
func checkFormat(format string, allowed ...string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usagef("unknown --format %q: use %s", format, strings.Join(allowed, ", "))
}

func requireData(dir string) error {
	if dir == "" {
		return usagef("--data DIR is required: the collector's data directory")
	}
	return nil
}

func logger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
