package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	ksvc "github.com/kardianos/service"

	"github.com/shadowai/shadowai/agent/internal/config"
	"github.com/shadowai/shadowai/agent/internal/identity"
	"github.com/shadowai/shadowai/agent/internal/pipeline"
	"github.com/shadowai/shadowai/agent/internal/service"
	"github.com/shadowai/shadowai/agent/internal/spool"
)

// newManager opens the OS service manager; tests replace it, since this is
// where the agent meets systemd, launchd or the Windows service manager.
var newManager = func(exe, configPath string) (service.Manager, error) {
	return service.New(exe, configPath, &program{})
}

// serviceCommand is one of install, uninstall, start, stop, restart.
func serviceCommand(verb, done string, act func(service.Manager) error) func(env, []string) error {
	return func(e env, args []string) error {
		fs := flag.NewFlagSet(verb, flag.ContinueOnError)
		cf := addConfigFlags(fs)
		if err := parseFlags(e, fs, args, false); err != nil {
			return err
		}
		m, configPath, err := cf.manager()
		if err != nil {
			return err
		}
		if verb == "install" {
			if _, problems := cf.read(); len(problems) > 0 {
				e.log().Warn("the configuration has problems; the service will use defaults for them: run `shadowai-agent config check`", "config", configPath, "problems", len(problems))
			}
		}
		if err := act(m); err != nil {
			return fmt.Errorf("%s the %s service: %w", verb, service.Name, err)
		}
		fmt.Fprintf(e.stdout, "%s service %s\n", service.Name, done)
		return nil
	}
}

func (c *configFlags) manager() (service.Manager, string, error) {
	path, err := c.absPath()
	if err != nil {
		return nil, "", err
	}
	m, err := newManager(mustExe(), path)
	return m, path, err
}

// absPath is the configuration file's absolute path, as the service
// definition must name it.
func (c *configFlags) absPath() (string, error) {
	path := c.path
	if path == "" {
		path = config.DefaultPath()
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolving --config %q: %w", path, err)
	}
	return abs, nil
}

var (
	installCmd   = serviceCommand("install", "installed: start it with `shadowai-agent start`", service.Manager.Install)
	uninstallCmd = serviceCommand("uninstall", "uninstalled (its state directory is kept)", service.Manager.Uninstall)
	startCmd     = serviceCommand("start", "started", service.Manager.Start)
	stopCmd      = serviceCommand("stop", "stopped", service.Manager.Stop)
	restartCmd   = serviceCommand("restart", "restarted", service.Manager.Restart)
)

// statusCmd prints the service's state and, read-only, the agent's:
// enrollment, certificate expiry, spool depth and drops.
func statusCmd(e env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	cf := addConfigFlags(fs)
	if err := parseFlags(e, fs, args, false); err != nil {
		return err
	}
	cfg, _ := cf.read()
	svc := "unknown (no service manager)"
	if m, _, err := cf.manager(); err == nil {
		svc = service.StatusText(m.Status())
	}
	fmt.Fprintf(e.stdout, "service:     %s\n", svc)
	fmt.Fprintf(e.stdout, "state:       %s\n", cfg.StateDir)
	st, err := identity.Load(cfg.StateDir)
	if err != nil {
		fmt.Fprintf(e.stdout, "enrollment:  none (%v)\n", err)
	} else {
		fmt.Fprintf(e.stdout, "enrollment:  %s with %s, host id %s\n", st.Enrollment.AgentID, st.Enrollment.Collector, st.Enrollment.HostID)
		fmt.Fprintf(e.stdout, "certificate: expires %s\n", st.NotAfter().UTC().Format(time.RFC3339))
	}
	sp, err := spool.Inspect(filepath.Join(cfg.StateDir, "spool"), int64(cfg.Spool.MaxBytes))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "spool:       %d batches, %d sightings, %d bytes of %s; %d sightings dropped when full (%d not yet reported)\n",
		sp.Batches, sp.Sightings, sp.Bytes, config.Size(sp.MaxBytes), sp.DroppedSightings, sp.PendingDropped)
	return nil
}

// program is the agent under the service manager: Start returns at once
// and runs the live agent until Stop.
type program struct {
	run    func(context.Context) error
	cancel context.CancelFunc
	done   chan error
}

func (p *program) Start(ksvc.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() { p.done <- p.run(ctx) }()
	return nil
}

func (p *program) Stop(ksvc.Service) error {
	p.cancel()
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("the agent did not stop within 30 s")
	}
}

// runService is `run --service`: the live agent under the service manager,
// logging to it. An agent that cannot start (not enrolled yet, state
// directory not writable) says why and tries again every minute,
// re-reading its configuration, instead of exiting into a restart loop.
func runService(e env, cf *configFlags) error {
	configPath, err := cf.absPath()
	if err != nil {
		return err
	}
	p := &program{}
	s, err := service.New(mustExe(), configPath, p)
	if err != nil {
		return err
	}
	p.run = func(ctx context.Context) error { return superviseLive(ctx, e, cf, s, configPath) }
	return s.Run()
}

// serviceLogger logs through the service manager (journald or syslog,
// Event Log), or to stderr when it has no logger for us.
func serviceLogger(e env, s ksvc.Service, level string) *slog.Logger {
	out, err := s.Logger(nil)
	if err != nil {
		return e.logAt(level)
	}
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return slog.New(service.NewLogHandler(out, l))
}

func superviseLive(ctx context.Context, e env, cf *configFlags, s ksvc.Service, configPath string) error {
	for {
		cfg, problems := cf.read()
		log := serviceLogger(e, s, cfg.LogLevel)
		for _, p := range problems {
			log.Error("configuration problem; using the default", "config", configPath, "problem", p.Error())
		}
		err := pipeline.RunLive(ctx, pipeline.Options{Config: cfg, AgentVersion: Version, Log: log})
		if ctx.Err() != nil {
			return nil
		}
		log.Error("agent cannot run; trying again in a minute", "err", err)
		select {
		case <-time.After(time.Minute):
		case <-ctx.Done():
			return nil
		}
	}
}

func mustExe() string {
	exe, _ := os.Executable()
	return exe
}
