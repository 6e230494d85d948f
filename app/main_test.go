package app

import (
	"os"
	"testing"

	"github.com/hardener/hardener/checks/scorecard"
)

// TestMain lets the test binary serve scorecard.ChildCommand, as the
// hardener and Lambda worker executables do: the Worker runs Scorecard in
// a child process of its own executable.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == scorecard.ChildCommand {
		os.Exit(scorecard.ChildMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
