package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/report"
	"github.com/hardener/hardener/internal/resolve"
)

// loadCheckout opens DIR with its configuration: --config, else
// DIR/.github/hardener.yml when present, else the defaults.
func loadCheckout(dir, cfgPath string) (*repo.Snapshot, config.Config, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, config.Config{}, err
	}
	if !fi.IsDir() {
		return nil, config.Config{}, fmt.Errorf("%s is not a directory", dir)
	}
	cfg := config.Default()
	if cfgPath == "" {
		if p := filepath.Join(dir, filepath.FromSlash(config.File)); fileExists(p) {
			cfgPath = p
		}
	}
	if cfgPath != "" {
		b, err := os.ReadFile(cfgPath)
		if err != nil {
			return nil, cfg, err
		}
		if cfg, err = config.Parse(b); err != nil {
			return nil, cfg, fmt.Errorf("invalid configuration %s:\n%w", cfgPath, err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, cfg, err
	}
	snap := repo.New(os.DirFS(abs), abs)
	snap.Ignored = cfg.IgnoredPath
	return snap, cfg, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// onlineResolver builds the API client from GITHUB_API_URL and GITHUB_TOKEN.
func onlineResolver() (*resolve.Resolver, error) {
	api := os.Getenv("GITHUB_API_URL")
	if api == "" {
		api = "https://api.github.com"
	}
	gh, err := resolve.NewClient(api, os.Getenv("GITHUB_TOKEN"), nil)
	if err != nil {
		return nil, err
	}
	return resolve.New(gh), nil
}

func scanCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("scan", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "text", "output format: text, json or sarif")
	cfgPath := fl.String("config", "", "configuration file (default DIR/.github/hardener.yml if present)")
	failOn := fl.String("fail-on", "", "exit 1 on findings at or above: info, low, medium, high or never (default low)")
	withScorecard := fl.Bool("scorecard", true, "run the OpenSSF Scorecard checks too")
	online := fl.Bool("online", false, "enable rules that use the GitHub API (GITHUB_TOKEN, GITHUB_API_URL)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hardener scan [flags] [DIR | FILE...]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	dir, only, err := scanTargets(fl.Args())
	if err != nil {
		fmt.Fprintf(stderr, "hardener scan: %v\n", err)
		return 2
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		fmt.Fprintf(stderr, "hardener scan: unknown format %q (want text, json or sarif)\n", *format)
		return 2
	}
	snap, cfg, err := loadCheckout(dir, *cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "hardener scan: %v\n", err)
		return 2
	}
	threshold := cfg.FailOnOr(checks.FailAt(checks.Low))
	if *failOn != "" {
		if threshold, err = checks.ParseFailOn(*failOn); err != nil {
			fmt.Fprintf(stderr, "hardener scan: --fail-on: %v\n", err)
			return 2
		}
	}
	list := checks.All()
	if *online {
		r, err := onlineResolver()
		if err != nil {
			fmt.Fprintf(stderr, "hardener scan: %v\n", err)
			return 2
		}
		list = append(list, checks.Online(r)...)
	}
	res := checks.Scan(ctx, snap, checks.Options{Exempt: cfg.Exempt, Checks: list})
	res.Findings, res.Errors = onlyFiles(res.Findings, res.Errors, only)
	out := report.Result{Findings: res.Findings, Errors: res.Errors}
	if *withScorecard {
		sc, err := scorecard.Run(ctx, snap.Dir)
		if err != nil {
			out.Errors = append(out.Errors, checks.FileError{File: ".", Message: "OpenSSF Scorecard: " + err.Error()})
		} else {
			out.Scorecard, out.ScorecardOrder = sc.Scores, scorecard.Checks
		}
	}
	switch *format {
	case "json":
		err = report.JSON(stdout, out)
	case "sarif":
		err = report.SARIF(stdout, out, RuleInfos(), version)
	default:
		err = report.Text(stdout, out, isTerminal(stdout))
	}
	if err != nil {
		fmt.Fprintf(stderr, "hardener scan: %v\n", err)
		return 2
	}
	return report.ExitCode(res.Findings, threshold)
}

// RuleInfos describes every rule for SARIF.
func RuleInfos() []report.RuleInfo {
	var out []report.RuleInfo
	for _, r := range checks.Rules() {
		out = append(out, report.RuleInfo{ID: r.ID, Name: r.Name, Short: r.Short, Help: r.Help, HelpURI: r.DocsURL(), Severity: r.Severity})
	}
	return out
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
