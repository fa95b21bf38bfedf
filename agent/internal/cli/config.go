package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/shadowai/shadowai/agent/internal/config"
)

// configFlags are the flags every command that reads the configuration
// takes.
type configFlags struct {
	path  string
	state string
}

func addConfigFlags(fs *flag.FlagSet) *configFlags {
	c := &configFlags{}
	fs.StringVar(&c.path, "config", "", "agent configuration file (default "+config.DefaultPath()+")")
	fs.StringVar(&c.state, "state", "", "agent state directory (overrides state_dir; as given to enroll)")
	return c
}

// load reads the configuration and builds the logger it asks for. Problems
// in the file are logged and their defaults used: the agent keeps running.
func (c *configFlags) load(e env) (config.Config, *slog.Logger) {
	cfg, problems := c.read()
	log := e.logAt(cfg.LogLevel)
	for _, p := range problems {
		log.Error("configuration problem; using the default", "problem", p.Error())
	}
	return cfg, log
}

func (c *configFlags) read() (config.Config, []config.Problem) {
	path, explicit := c.path, c.path != ""
	if !explicit {
		path = config.DefaultPath()
	}
	cfg, problems := config.Load(path, explicit)
	if c.state != "" {
		cfg.StateDir = c.state
	}
	return cfg, problems
}

// configCmd is `shadowai-agent config check`.
func configCmd(e env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usageError("usage: shadowai-agent config check [--config FILE]")
	}
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	cf := addConfigFlags(fs)
	quiet := fs.Bool("quiet", false, "print only problems, not the effective configuration")
	if err := parseFlags(e, fs, args[1:], false); err != nil {
		return err
	}
	cfg, problems := cf.read()
	if !*quiet {
		out, err := cfg.YAML()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "# effective configuration\n%s", out)
	}
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Error()
	}
	return fmt.Errorf("%d problem(s) in the configuration, defaults used for them: %s", len(problems), strings.Join(msgs, "; "))
}

// logAt logs to stderr at the named level (debug, info, warn, error).
func (e env) logAt(level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: l}))
}

// withOption sets one sensor option from a command-line flag.
func withOption(sensors map[string]config.Sensor, sensor, key, value string) map[string]config.Sensor {
	s := sensors[sensor]
	opts := maps.Clone(s.Options)
	if opts == nil {
		opts = map[string]string{}
	}
	opts[key] = value
	s.Options = opts
	sensors[sensor] = s
	return sensors
}
