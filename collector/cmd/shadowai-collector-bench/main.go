// Command shadowai-collector-bench measures the collector for `make
// bench-collector`: ingest over mutual-TLS gRPC against the real binary
// with 1, 100 and 1000 streams, the raw SQLite ceiling of the same rows,
// and inventory and report latency on a 10-million-sighting fleet.
package main

import (
	"os"

	"github.com/shadowai/shadowai/collector/internal/loadgen"
)

func main() { os.Exit(loadgen.Main(os.Args[1:], os.Stdout)) }
