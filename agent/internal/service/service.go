// Package service runs the agent as an OS service (systemd, launchd, the
// Windows service manager) through github.com/kardianos/service: it
// installs, controls and reports the service, and gives the running agent
// the service manager's logger (journald or syslog, Event Log).
package service

import (
	_ "embed"
	"errors"
	"fmt"
	"runtime"

	ksvc "github.com/kardianos/service"
)

// Name is the service's name in every service manager.
const Name = "shadowai-agent"

// systemdUnit is the unit kardianos renders on Linux: restart always, a
// state directory, and only the capabilities capture and process
// inspection need.
//
//go:embed shadowai-agent.service.tmpl
var systemdUnit string

// Config is the service definition for an agent binary at exe reading the
// configuration at configPath.
func Config(exe, configPath string) *ksvc.Config {
	return &ksvc.Config{
		Name:        Name,
		DisplayName: "shadowai agent",
		Description: "shadowai agent: discovers AI services and tools in use on this host and reports them to the collector",
		Executable:  exe,
		Arguments:   []string{"run", "--service", "--config", configPath},
		Option: ksvc.KeyValue{
			"SystemdScript": systemdUnit,
			// launchd: start at boot, restart whenever it exits.
			"KeepAlive": true,
			"RunAtLoad": true,
			// Windows: start after boot settles, restart after every failure
			// (10 s later), forget failures after a day.
			"DelayedAutoStart":       true,
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "10s",
			"OnFailureResetPeriod":   86400,
		},
	}
}

// Manager is what the CLI needs from the OS service manager; kardianos
// provides it, tests substitute it at this OS boundary.
type Manager interface {
	Install() error
	Uninstall() error
	Start() error
	Stop() error
	Restart() error
	Status() (ksvc.Status, error)
}

// New returns the OS service manager for the agent, or a readable error on
// a platform without one.
func New(exe, configPath string, run ksvc.Interface) (ksvc.Service, error) {
	sys := ksvc.ChosenSystem()
	// On Linux only systemd gives what the agent relies on (restart
	// always, hardening, a state directory); SysV and friends do not.
	if sys == nil || (runtime.GOOS == "linux" && sys.String() != "linux-systemd") {
		return nil, fmt.Errorf("no supported service manager on this %s host (found %v; want systemd, launchd or the Windows service manager): run `shadowai-agent run` under your own supervisor", runtime.GOOS, sys)
	}
	s, err := ksvc.New(run, Config(exe, configPath))
	if err != nil {
		return nil, fmt.Errorf("preparing the %s service: %w", Name, err)
	}
	return s, nil
}

// StatusText says a service status in words.
func StatusText(st ksvc.Status, err error) string {
	switch {
	case errors.Is(err, ksvc.ErrNotInstalled):
		return "not installed"
	case err != nil:
		return "unknown (" + err.Error() + ")"
	case st == ksvc.StatusRunning:
		return "running"
	case st == ksvc.StatusStopped:
		return "stopped"
	}
	return "unknown"
}
