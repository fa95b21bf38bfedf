package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/shadowai/shadowai/agent/internal/uplink"
)

func enroll(e env, args []string) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	o := uplink.EnrollOptions{AgentVersion: Version}
	fs.StringVar(&o.Collector, "collector", "", "collector address HOST:PORT")
	fs.StringVar(&o.Token, "token", "", "one-time enrollment token from `shadowai-collector token create`")
	cf := addConfigFlags(fs)
	fs.BoolVar(&o.Force, "force", false, "replace an existing enrollment with a new identity")
	if err := parseFlags(e, fs, args, false); err != nil {
		return err
	}
	cfg, _ := cf.read()
	o.StateDir = cfg.StateDir
	for name, v := range map[string]string{"--collector HOST:PORT": o.Collector, "--token TOKEN": o.Token} {
		if v == "" {
			return usageError(name + " is required")
		}
	}
	en, err := uplink.Enroll(context.Background(), o)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "enrolled as %s with collector %s (host id %s); state in %s\n", en.AgentID, en.Collector, en.HostID, o.StateDir)
	return nil
}
