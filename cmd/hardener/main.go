// Command hardener scans and fixes a repository's CI supply chain, and runs
// the Hardener GitHub App.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: hardener <command> [flags] [DIR]

commands:
  scan      report what makes a checkout unsafe (text, json or sarif)
  fix       apply the file remediations to a checkout, in place
  serve     run the GitHub App as one process
  manifest  print the GitHub App manifest for registration
  schema    print the JSON Schema of .github/hardener.yml
  version   print the version and commit of this binary

Run 'hardener <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "scan":
		return scanCmd(ctx, args[1:], stdout, stderr)
	case "fix":
		return fixCommand(ctx, args[1:], stdout, stderr)
	case "serve":
		return serveCmd(ctx, args[1:], stdout, stderr)
	case "manifest":
		return manifestCmd(args[1:], stdout, stderr)
	case "schema":
		return schemaCmd(args[1:], stdout, stderr)
	case scorecardChildCommand:
		return scorecardChild(args[1:], stdout, stderr)
	case "version", "--version":
		return versionCmd(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "hardener: unknown command %q\n\n%s", args[0], usage)
	return 2
}
