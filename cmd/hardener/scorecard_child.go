package main

import (
	"io"

	"github.com/hardener/hardener/checks/scorecard"
)

// scorecardChildCommand is the hidden subcommand's name.
const scorecardChildCommand = scorecard.ChildCommand

// scorecardChild serves scorecard.ChildCommand, the hidden subcommand a
// scorecard.Sandbox starts to run Scorecard in a process of its own, with
// bounded memory and time. It is not listed in the usage: only Hardener
// itself calls it.
func scorecardChild(args []string, stdout, stderr io.Writer) int {
	return scorecard.ChildMain(args, stdout, stderr)
}
