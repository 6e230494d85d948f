package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/hardener/hardener/app"
)

const manifestUsage = `usage: hardener manifest --url URL [--admin] [--name NAME]

Print the GitHub App manifest JSON for the manifest registration flow.
URL is the public base URL of the deployment; webhooks go to URL/api/github/webhooks.

`

func manifestCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, manifestUsage); fs.PrintDefaults() }
	url := fs.String("url", "", "public base URL of the App (required)")
	admin := fs.Bool("admin", false, "request administration: write (branch protection, private vulnerability reporting)")
	name := fs.String("name", app.DefaultAppName, "App name (unique on GitHub)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hardener manifest: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *url == "" {
		fmt.Fprintln(stderr, "hardener manifest: --url is required: the public base URL where GitHub reaches the App, e.g. https://hardener.example.org")
		return 2
	}
	m, err := app.NewManifest(app.ManifestOptions{Name: *name, URL: *url, Admin: *admin})
	if err != nil {
		fmt.Fprintln(stderr, "hardener manifest:", err)
		return 2
	}
	b, err := m.JSON()
	if err != nil {
		fmt.Fprintln(stderr, "hardener manifest:", err)
		return 2
	}
	if _, err := stdout.Write(b); err != nil {
		fmt.Fprintln(stderr, "hardener manifest:", err)
		return 2
	}
	return 0
}
