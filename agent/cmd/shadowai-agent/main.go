// Command shadowai-agent discovers AI services and tools in use on this
// host (DNS, TLS and QUIC names on the wire, running processes) and streams
// sightings to a shadowai collector.
package main

import (
	"os"

	"github.com/shadowai/shadowai/agent/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
