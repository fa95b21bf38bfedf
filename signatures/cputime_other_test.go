//go:build !unix

package signatures

import "time"

// cpuTime is not measured here; benchmarks then report wall-time rates only.
func cpuTime() time.Duration { return 0 }
