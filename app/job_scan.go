package app

import (
	"context"
	"fmt"
	"os"

	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
)

// scanned is one scan of one snapshot.
type scanned struct {
	tree     *snapshot.Tree
	snap     *repo.Snapshot
	cfg      config.Config
	private  bool
	findings []checks.Finding
	errors   []checks.FileError
	// suppressed are the findings inline comments suppress: a pull
	// request's check honours only those the base has too.
	suppressed []checks.Finding
	// scores are Scorecard's check scores (nil when Scorecard is off).
	scores   map[string]int
	scoreErr string
}

// scan runs the checks on t with cfg: the offline ones, and the online
// ones when the Worker has a resolver (job_online.go).
func (j *jobRun) scan(ctx context.Context, t *snapshot.Tree, cfg config.Config) (*scanned, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap := t.Snapshot()
	snap.Owner, snap.Name, snap.Private = j.repo.owner, j.repo.name, j.repo.private
	snap.Ignored = cfg.IgnoredPath
	on := j.online(snap)
	res := checks.Scan(ctx, snap, checks.Options{Exempt: cfg.Exempt, Checks: on.all(), KeepSuppressed: true})
	if err := on.retry(); err != nil {
		return nil, err
	}
	return &scanned{tree: t, snap: snap, cfg: cfg, private: j.repo.private, findings: res.Findings,
		errors: append(res.Errors, on.fileErrors()...), suppressed: res.Suppressed}, nil
}

// scorecard runs Scorecard on t with changes applied, in a temporary
// folder that is removed afterwards, in a bounded child process. A
// failure is reported, not fatal; a pull-request head that the Sandbox
// does not score is left without scores and without a note.
func (j *jobRun) scorecard(ctx context.Context, t *snapshot.Tree, changes map[string][]byte, origin scorecard.Origin) (map[string]int, string) {
	if j.w.opts.Scorecard == nil {
		return nil, ""
	}
	if origin == scorecard.FromPullRequest && !j.w.opts.Scorecard.PullRequests {
		return nil, ""
	}
	dir, err := os.MkdirTemp("", "hardener-scorecard-")
	if err != nil {
		return nil, err.Error()
	}
	defer os.RemoveAll(dir)
	if err := t.WriteDir(dir, changes); err != nil {
		return nil, err.Error()
	}
	res, err := j.w.opts.Scorecard.Run(ctx, dir, origin)
	if err != nil {
		j.log.Warn("scorecard failed", "err", err)
		return nil, err.Error()
	}
	j.log.Debug("scorecard ran", "peak_rss", res.Process.PeakRSS, "duration", res.Process.Duration, "skipped", len(res.Skipped))
	return res.Scores, ""
}

// hidden reports whether a finding is only counted in public output:
// the details of an exploitable one stay out of a public repository's
// check run.
func (s *scanned) hidden(f checks.Finding) bool { return !s.private && f.Exploitable() }

// introduced splits head's findings into those the base does not have
// (by fingerprint, which survives moved lines, counted as a multiset so
// that a second copy of a line is new) and the rest.
func introduced(head, base []checks.Finding) (added, existing []checks.Finding) {
	have := map[string]int{}
	for _, f := range base {
		have[f.Fingerprint()]++
	}
	for _, f := range head {
		k := f.Fingerprint()
		if have[k] > 0 {
			have[k]--
			existing = append(existing, f)
			continue
		}
		added = append(added, f)
	}
	return added, existing
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
