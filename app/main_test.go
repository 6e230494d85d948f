package app

import (
	"os"
	"testing"
)

// TestMain lets the test binary serve the Worker's child processes, as
// the hardener and Lambda worker executables do (Scorecard runs in one).
func TestMain(m *testing.M) {
	if code, ok := RunChild(os.Args); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
