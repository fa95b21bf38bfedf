package loadgen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Collector is a running shadowai-collector process.
type Collector struct {
	Data, Addr string
	cmd        *exec.Cmd
	log        bytes.Buffer
}

// benchConfig lifts the per-agent rate limit (one simulated agent sends
// what a thousand real ones would) and turns the report schedule off.
const benchConfig = "ingest: {agent_sightings_per_second: 0}\nreport: {schedule: \"off\"}\n"

// StartCollector starts bin serve on a free loopback port with a fresh
// data directory under dir.
func StartCollector(bin, dir string) (*Collector, error) {
	c := &Collector{Data: filepath.Join(dir, "collector")}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(c.Data, "collector.yaml"), []byte(benchConfig), 0o600); err != nil {
		return nil, err
	}
	c.cmd = exec.Command(bin, "serve", "--data", c.Data, "--listen", "127.0.0.1:0")
	c.cmd.Stdout, c.cmd.Stderr = &c.log, &c.log
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(c.Data, "collector.addr")); err == nil {
			c.Addr = strings.TrimSpace(string(b))
			return c, nil
		}
	}
	c.Stop()
	return nil, fmt.Errorf("collector did not start:\n%s", c.log.String())
}

// Stop interrupts the collector and waits for its graceful shutdown.
func (c *Collector) Stop() error {
	if c.cmd.Process == nil {
		return nil
	}
	c.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		return fmt.Errorf("collector did not stop within 30s")
	}
}
