package app

import (
	"io"

	"github.com/hardener/hardener/checks/scorecard"
)

// ScorecardChild serves the bounded child process the Worker runs
// Scorecard in (scorecard.Sandbox re-executes the running binary): when
// args (os.Args) ask for it, it runs the checks and returns the exit code
// with ok true. Entry points that run a Worker call it first.
func ScorecardChild(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) > 1 && args[1] == scorecard.ChildCommand {
		return scorecard.ChildMain(args[2:], stdout, stderr), true
	}
	return 0, false
}
