//go:build !unix

package scoring

import "time"

// processCPUTime is not measured outside Unix; the benchmarks then report 0.
func processCPUTime() time.Duration { return 0 }
