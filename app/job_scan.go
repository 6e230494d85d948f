package app

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
)

// scanned is one scan of one snapshot.
type scanned struct {
	tree     *Tree
	snap     *repo.Snapshot
	cfg      config.Config
	private  bool
	findings []checks.Finding
	errors   []checks.FileError
	// scores are Scorecard's check scores (nil when Scorecard is off).
	scores   map[string]int
	scoreErr string
}

func snapshotOf(ri repoInfo, t *Tree, cfg config.Config) *repo.Snapshot {
	s := t.Snapshot()
	s.Owner, s.Name, s.Private = ri.owner, ri.name, ri.private
	s.Ignored = cfg.IgnoredPath
	return s
}

// scan runs the offline checks on t with cfg.
func (w *Worker) scan(ctx context.Context, ri repoInfo, t *Tree, cfg config.Config) (*scanned, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap := snapshotOf(ri, t, cfg)
	res := checks.Scan(ctx, snap, checks.Options{Exempt: cfg.Exempt})
	return &scanned{tree: t, snap: snap, cfg: cfg, private: ri.private, findings: res.Findings, errors: res.Errors}, nil
}

// scorecardOf runs Scorecard on t with changes applied, in a temporary
// folder that is removed afterwards. A failure is reported, not fatal.
func (w *Worker) scorecardOf(ctx context.Context, t *Tree, changes map[string][]byte) (map[string]int, string) {
	if !w.opts.Scorecard {
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
	res, err := scorecard.Run(ctx, dir)
	if err != nil {
		LoggerFrom(ctx).Warn("scorecard failed", "err", err)
		return nil, err.Error()
	}
	return res.Scores, ""
}

// exploitable reports findings whose details must not be public.
func exploitable(f checks.Finding) bool {
	return f.Rule == checks.RuleTemplateInjection || f.Rule == checks.RuleUntrustedCheckout
}

// hidden reports whether a finding is only counted in public output.
func (s *scanned) hidden(f checks.Finding) bool { return !s.private && exploitable(f) }

// compareKey identifies a finding across commits, where lines move: the
// rule, the file, what it is about and the text of its line.
func compareKey(f checks.Finding) string {
	return strings.Join([]string{f.Rule, f.Primary.File, f.Subject, strings.TrimSpace(f.Snippet)}, "\x00")
}

// introduced splits head's findings into those the base does not have
// (counted as a multiset, so a second copy of a line is new) and the rest.
func introduced(head, base []checks.Finding) (added, existing []checks.Finding) {
	have := map[string]int{}
	for _, f := range base {
		have[compareKey(f)]++
	}
	for _, f := range head {
		k := compareKey(f)
		if have[k] > 0 {
			have[k]--
			existing = append(existing, f)
			continue
		}
		added = append(added, f)
	}
	return added, existing
}

// failsOn reports whether severity s reaches the `fail-on` level.
func failsOn(s checks.Severity, failOn string) bool {
	if failOn == "never" || failOn == "" {
		return false
	}
	lvl, err := checks.ParseSeverity(failOn)
	if err != nil {
		return false
	}
	return s >= lvl
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
