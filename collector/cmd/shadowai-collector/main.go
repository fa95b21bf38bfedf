// Command shadowai-collector receives AI-tool sightings from shadowai
// agents over mutual TLS, keeps the inventory in SQLite and answers
// inventory queries.
package main

import (
	"os"

	"github.com/shadowai/shadowai/collector/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
