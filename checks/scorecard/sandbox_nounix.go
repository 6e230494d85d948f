//go:build !unix

package scorecard

import (
	"errors"
	"os"
)

// limitMemory refuses: without a hard bound the child does not run.
func limitMemory(uint64) error {
	return errors.New("no hard memory limit on this platform")
}

func peakRSS(*os.ProcessState) int64 { return 0 }
