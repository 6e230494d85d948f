// Package scorecard runs a fixed set of OpenSSF Scorecard v5 checks on a
// checkout on disk, offline, through Scorecard's local-directory client.
//
// All six checks in Checks run offline with that client:
//
//   - Pinned-Dependencies, Token-Permissions, Dangerous-Workflow and
//     Binary-Artifacts read files only. (Binary-Artifacts would ask the API
//     whether a gradle-wrapper.jar is validated by a successful workflow
//     run; offline it counts such a jar as unvalidated.)
//   - Security-Policy falls back to the organisation's .github repository
//     only when the repository has no policy; the local client cannot reach
//     it, so only the repository's own files count.
//   - Dependency-Update-Tool falls back to searching for Dependabot commits
//     when no config file is found; offline only config files count.
//
// Pinned-Dependencies asks the container registry for the digest of every
// unpinned Dockerfile image, to suggest a fix. That lookup is refused while
// a run is in progress (see gate.go), so a run opens no network connection.
//
// Repository content is hostile: Scorecard never sees the files Hardener's
// parser refuses or finds over budget (view.go), and a process that serves
// installations runs Scorecard through Sandbox, in a child process with
// bounded memory and time (sandbox.go). Run, in process, is for the CLI
// and tests.
package scorecard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-logr/logr"
	"github.com/ossf/scorecard/v5/checker"
	"github.com/ossf/scorecard/v5/checks"
	"github.com/ossf/scorecard/v5/clients/localdir"
	sclog "github.com/ossf/scorecard/v5/log"
)

// Checks are the Scorecard checks Hardener runs, in output order.
var Checks = []string{
	checks.CheckPinnedDependencies,
	checks.CheckTokenPermissions,
	checks.CheckDangerousWorkflow,
	checks.CheckSecurityPolicy,
	checks.CheckBinaryArtifacts,
	checks.CheckDependencyUpdateTool,
}

// checkFns maps each name in Checks to Scorecard's check function.
var checkFns = map[string]checker.CheckFn{
	checks.CheckPinnedDependencies:   checks.PinningDependencies,
	checks.CheckTokenPermissions:     checks.TokenPermissions,
	checks.CheckDangerousWorkflow:    checks.DangerousWorkflow,
	checks.CheckSecurityPolicy:       checks.SecurityPolicy,
	checks.CheckBinaryArtifacts:      checks.BinaryArtifacts,
	checks.CheckDependencyUpdateTool: checks.DependencyUpdateTool,
}

// Inconclusive is the score of a check that could not decide (nothing to
// look at) or failed; Reasons then says why.
const Inconclusive = checker.InconclusiveResultScore

// Result is what Scorecard says about one checkout.
type Result struct {
	// Scores maps a check name to 0..10, or Inconclusive.
	Scores map[string]int
	// Reasons maps a check name to Scorecard's reason text (or the error).
	Reasons map[string]string
	// Unpinned lists every GitHub action, reusable workflow and Dockerfile
	// image that Pinned-Dependencies counts as unpinned, sorted by file and
	// line. Scorecard v5.5.0 does not look at job or service `container:`
	// images in workflows; a `uses: docker://…` step is a "GitHubAction"
	// whose Name is the whole reference when it has no @digest.
	Unpinned []Dependency
	// Skipped lists the files Scorecard was not shown: those Hardener's
	// parser refused, found too large or too complex (an alias bomb), and
	// anything that is not a regular file. Their findings come from
	// Hardener's own scan, which reports the same files as errors.
	Skipped []Skipped
	// Process is set by Sandbox: the child process's peak memory and time.
	Process *Process `json:",omitempty"`
}

// Dependency is one dependency as Scorecard's raw Pinned-Dependencies
// results describe it.
type Dependency struct {
	// File is relative to the checkout, with / separators.
	File string
	// Line is 1-based: the `uses:` line or the FROM instruction.
	Line int
	// Name is the action, reusable workflow or image without its ref,
	// e.g. "actions/checkout" or "python".
	Name string
	// Ref is what follows the @ of an action or the : of an image
	// ("v4", "3.12"), or empty.
	Ref string
	// Type is Scorecard's dependency type: "GitHubAction" or
	// "containerImage".
	Type string
}

// ErrNotDir is returned when the checkout is not a directory.
var ErrNotDir = errors.New("not a directory")

// Run runs every check in Checks on the checkout in dir, in this process.
// A check that fails is reported as Inconclusive with its error as the
// reason; the error returned is only for a dir that cannot be read or a
// cancelled ctx.
//
// Scorecard is shown the checkout without the files Hardener refuses (see
// view.go), but its own work is not bounded: Run is for the CLI, which
// scans the user's own checkout in a process of its own, and for tests. A
// process serving installations uses Sandbox.
func Run(ctx context.Context, dir string) (Result, error) {
	return run(ctx, dir, true)
}

func run(ctx context.Context, dir string, filter bool) (Result, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, fmt.Errorf("scorecard: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Result{}, fmt.Errorf("scorecard: %w", err)
	}
	if !fi.IsDir() {
		return Result{}, fmt.Errorf("scorecard: %s: %w", dir, ErrNotDir)
	}
	scRepo, err := localdir.MakeLocalDirRepo(abs)
	if err != nil {
		return Result{}, fmt.Errorf("scorecard: %w", err)
	}
	// The local client logs only skipped dangling symlinks: not worth a
	// dependency on the caller's logger.
	discard := logr.Discard()
	client := localdir.CreateLocalDirClient(ctx, &sclog.Logger{Logger: &discard})
	if err := client.InitRepo(scRepo, "", 0); err != nil {
		return Result{}, fmt.Errorf("scorecard: %w", err)
	}
	defer client.Close()
	all, err := client.ListFiles(func(string) (bool, error) { return true, nil })
	if err != nil {
		return Result{}, fmt.Errorf("scorecard: %w", err)
	}
	var hidden map[string]bool
	var skipped []Skipped
	if filter {
		hidden, skipped = hide(abs, all)
	}
	shown := &view{RepoClient: client, hidden: hidden}

	done := offline().hold()
	defer done()

	raw := &checker.RawResults{}
	res := Result{
		Scores:  make(map[string]int, len(Checks)),
		Reasons: make(map[string]string, len(Checks)),
		Skipped: skipped,
	}
	for _, name := range Checks {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("scorecard: %w", err)
		}
		cr := runCheck(name, &checker.CheckRequest{
			Ctx:           ctx,
			RepoClient:    shown,
			Repo:          scRepo,
			Dlogger:       checker.NewLogger(),
			RawResults:    raw,
			RequiredTypes: []checker.RequestType{checker.FileBased},
		})
		res.Scores[name] = cr.Score
		res.Reasons[name] = cr.Reason
		if cr.Error != nil {
			res.Scores[name] = Inconclusive
			res.Reasons[name] = cr.Error.Error()
		}
	}
	res.Unpinned = unpinned(raw.PinningDependenciesResults, abs)
	return res, nil
}

// runCheck calls one check, turning a panic inside Scorecard into an
// error result so one bad file cannot take the scan down.
func runCheck(name string, req *checker.CheckRequest) (cr checker.CheckResult) {
	defer func() {
		if p := recover(); p != nil {
			cr = checker.CheckResult{Name: name, Score: Inconclusive, Error: fmt.Errorf("panic: %v", p)}
		}
	}()
	return checkFns[name](req)
}

// unpinned keeps the actions and images Scorecard counts as unpinned.
func unpinned(data checker.PinningDependenciesData, root string) []Dependency {
	var out []Dependency
	for _, d := range data.Dependencies {
		if d.Pinned == nil || *d.Pinned || d.Location == nil {
			continue
		}
		if d.Type != checker.DependencyUseTypeGHAction &&
			d.Type != checker.DependencyUseTypeDockerfileContainerImage {
			continue
		}
		out = append(out, Dependency{
			File: relPath(root, d.Location.Path),
			Line: int(d.Location.Offset),
			Name: deref(d.Name),
			Ref:  deref(d.PinnedAt),
			Type: string(d.Type),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// relPath makes a Scorecard path relative to the checkout; the local
// client already lists relative paths, this guards the contract.
func relPath(root, p string) string {
	if filepath.IsAbs(p) {
		if r, err := filepath.Rel(root, p); err == nil {
			p = r
		}
	}
	return filepath.ToSlash(p)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
