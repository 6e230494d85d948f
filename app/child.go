package app

import (
	"os"

	"github.com/hardener/hardener/checks/scorecard"
)

// RunChild serves the child processes a Worker starts from its own
// executable (Scorecard runs in one, with bounded memory and time). An
// executable that runs a Worker calls it first thing in main: ok is false
// when args (os.Args) name no child, and code is the exit status otherwise.
func RunChild(args []string) (code int, ok bool) {
	if len(args) > 1 && args[1] == scorecard.ChildCommand {
		return scorecard.ChildMain(args[2:], os.Stdout, os.Stderr), true
	}
	return 0, false
}
