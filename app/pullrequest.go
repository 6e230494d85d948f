package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/fixer"
	"github.com/hardener/hardener/templates"
)

// Names the hardening pull request is known by.
const (
	HardeningBranch = "hardener/harden"
	PRTitle         = "Harden this repository"
	PRLabel         = "security"
)

// PR states reported by ensurePR.
const (
	prNothing    = "nothing-to-fix"
	prOpened     = "opened"
	prUpdated    = "updated"
	prCurrent    = "current"
	prClosed     = "closed-unchanged"
	prHuman      = "human-commits"
	prWorkflows  = "workflows-permission"
	prBranchUsed = "branch-not-ours"
	prQueued     = "queued"
)

// fixesRe is the App's marker, exactly, as the last line of its PR body.
// fixesRe is the App's marker, the last line of its PR body: the fix hash
// and, when the PR refreshes pins, the hash of the refreshed lines.
var fixesRe = regexp.MustCompile(`^<!-- hardener:fixes=([0-9a-f]{64})(?: pins=([0-9a-f]{64}))? -->$`)

// prOutcome is what ensurePR did, for the check run and the logs.
type prOutcome struct {
	State       string
	Number      int
	URL         string
	Message     string // Markdown for the check-run summary
	Results     []*remediations.Result
	Dropped     []fixer.Dropped
	Notes       []remediations.Note
	Refused     []string // files the App did not see, left alone
	ScoresAfter map[string]int
}

// key is the outcome without the difference between opening, refreshing
// and finding the same PR current.
func (p *prOutcome) key() string {
	switch p.State {
	case prOpened, prUpdated, prCurrent:
		return fmt.Sprintf("open #%d", p.Number)
	}
	return p.State + " " + p.Message
}

func (p *prOutcome) notes() []string {
	var out []string
	for _, n := range p.Notes {
		if n.File != "" && n.Line > 0 {
			out = append(out, fmt.Sprintf("%s line %d: %s", templates.Code(n.File), n.Line, templates.Text(n.Message)))
		} else if n.File != "" {
			out = append(out, fmt.Sprintf("%s: %s", templates.Code(n.File), templates.Text(n.Message)))
		} else {
			out = append(out, templates.Text(n.Message))
		}
	}
	for _, d := range p.Dropped {
		out = append(out, fmt.Sprintf("%s change left out of the %s fix: %s", templates.Code(d.Path), templates.Code(d.ID), templates.Text(d.Reason)))
	}
	for _, r := range p.Refused {
		out = append(out, fmt.Sprintf("%s was not changed: the App could not see its current content (%s).", templates.Code(r), "link, size cap or left out of the archive"))
	}
	return out
}

// fixHash identifies the findings a PR fixes, plus the files it writes: a
// new upstream release alone does not change it, and neither do lines that
// merely moved (a finding is its fingerprint and its occurrence, not its
// line number).
func fixHash(results []*remediations.Result) string {
	set := map[string]bool{}
	for _, r := range results {
		seen := map[string]int{}
		for _, fp := range r.Fixed {
			seen[fp]++
			set[fmt.Sprintf("%s#%d", fp, seen[fp])] = true
		}
		for _, c := range r.Changes {
			set["change:"+r.ID+":"+c.Path] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:])
}

// bodyHash reads the fix hash out of a PR body: only the App's own
// marker, its last line in the exact form renderPRBody writes. A marker
// elsewhere (a file name or quoted text in the body) is not read.
func bodyHash(body string) string {
	if m := fixesRe.FindStringSubmatch(lastLine(body)); m != nil {
		return m[1]
	}
	return ""
}

// ownsFinding reports whether a remediation has a finding to fix.
func ownsFinding(findings []checks.Finding, remediation string) bool {
	for _, f := range findings {
		if f.Remediation == remediation {
			return true
		}
	}
	return false
}

// fix runs the remediations on the scanned snapshot and drops changes to
// files the App did not see.
func (j *jobRun) fix(ctx context.Context, sc *scanned) (*prOutcome, error) {
	env := &remediations.Env{Snapshot: sc.snap, Config: sc.cfg, Findings: sc.findings,
		Resolver: j.w.resolver, Images: j.w.opts.Images, DefaultTokenPermissions: "write"}
	// The repository's default token access matters only to a workflow
	// without explicit permissions, which the scan reports: ask GitHub
	// only then.
	if sc.cfg.Enabled(checks.FixPermissions) && ownsFinding(sc.findings, checks.FixPermissions) {
		p, _, err := j.gh.Repositories.GetDefaultWorkflowPermissions(ctx, j.repo.owner, j.repo.name)
		switch {
		case err == nil && p.GetDefaultWorkflowPermissions() != "":
			env.DefaultTokenPermissions = p.GetDefaultWorkflowPermissions()
		case err != nil && !refused(err):
			return nil, fmt.Errorf("default workflow permissions: %w", err)
		}
	}
	if sc.cfg.Enabled(checks.FixSecurityPolicy) && !strings.EqualFold(j.repo.name, orgRepo) && ownsFinding(sc.findings, checks.FixSecurityPolicy) {
		// The repository has no policy of its own (the rule found none):
		// one in the organisation's .github repository also counts.
		has, err := j.orgSecurityPolicy(ctx)
		if err != nil {
			return nil, err
		}
		env.OrgSecurityPolicy = has
	}
	out, err := fixer.Run(ctx, env, nil)
	if err != nil {
		return nil, fmt.Errorf("remediations: %w", err)
	}
	extra, err := j.proposeSettings(ctx, sc)
	if err != nil {
		return nil, err
	}
	po := &prOutcome{Dropped: out.Dropped, Notes: out.Notes}
	po.Results, po.Refused = keepSeen(append(out.Results, extra...), sc.tree.Seen)
	return po, nil
}

// keepSeen drops every change to a path seen reports false for, and every
// later change to the same path (it builds on the dropped one).
func keepSeen(results []*remediations.Result, seen func(string) bool) ([]*remediations.Result, []string) {
	refused := map[string]bool{}
	var kept []*remediations.Result
	for _, r := range results {
		var changes []remediations.Change
		for _, c := range r.Changes {
			if refused[c.Path] || !seen(c.Path) {
				refused[c.Path] = true
				continue
			}
			changes = append(changes, c)
		}
		if len(changes) == 0 {
			continue
		}
		cp := *r
		cp.Changes = changes
		kept = append(kept, &cp)
	}
	var list []string
	for p := range refused {
		list = append(list, p)
	}
	sort.Strings(list)
	return kept, list
}

// finalFiles is every changed file's final content.
func finalFiles(results []*remediations.Result) map[string][]byte {
	out := map[string][]byte{}
	for _, r := range results {
		for _, c := range r.Changes {
			out[c.Path] = c.After
		}
	}
	return out
}

// ensurePR opens, refreshes or leaves the hardening PR. It writes nothing
// when the open PR already carries the same fixes, when a maintainer
// closed one with the same fixes, or when people pushed to its branch.
func (j *jobRun) ensurePR(ctx context.Context, sc *scanned) (*prOutcome, error) {
	po, err := j.fix(ctx, sc)
	if err != nil {
		return nil, err
	}
	if len(po.Results) == 0 {
		po.State, po.Message = prNothing, "Nothing to fix: no hardening pull request is needed."
		j.log.Info("nothing to fix")
		return po, nil
	}
	if sc.scores != nil {
		po.ScoresAfter, _ = j.scorecard(ctx, sc.tree, finalFiles(po.Results), scorecard.FromBranch)
	}
	hash := fixHash(po.Results)
	open, closedSame, err := j.findPRs(ctx, hash)
	if err != nil {
		return nil, err
	}
	switch {
	case open != nil && bodyHash(open.GetBody()) == hash && pinsCurrent(open.GetBody(), po.Results):
		po.setPR(open, prCurrent, "The hardening pull request %s is up to date.")
		j.log.Info("hardening PR current", "pr", open.GetNumber())
		if !hasLabel(open) {
			// An earlier run opened it and stopped before labelling it.
			return po, j.labelPR(ctx, open.GetNumber())
		}
		return po, nil
	case open == nil && closedSame != nil:
		po.setPR(closedSame, prClosed, "The hardening pull request %s was closed without merging; it is not reopened until the set of fixes changes.")
		j.log.Info("hardening PR closed by a maintainer; fixes unchanged", "pr", closedSame.GetNumber())
		return po, nil
	}
	if open != nil {
		ours, err := j.prCommitsOurs(ctx, open)
		if err != nil {
			return nil, err
		}
		if !ours {
			po.setPR(open, prHuman, "The hardening pull request %s has commits pushed by people, so Hardener does not overwrite its branch. Merge or close it to get a fresh one.")
			return po, j.commentOnce(ctx, open.GetNumber(), humanCommitsMarker, humanCommitsComment)
		}
	}
	return po, j.writePR(ctx, sc, po, open, hash)
}

func (po *prOutcome) setPR(pr *github.PullRequest, state, msg string) {
	po.State, po.Number, po.URL = state, pr.GetNumber(), pr.GetHTMLURL()
	po.Message = fmt.Sprintf(msg, fmt.Sprintf("[#%d](%s)", pr.GetNumber(), pr.GetHTMLURL()))
}

// findPRs lists the pull requests from the hardening branch (one request):
// the open one, and a closed unmerged one with the same fixes.
func (j *jobRun) findPRs(ctx context.Context, hash string) (open, closedSame *github.PullRequest, err error) {
	prs, _, err := j.gh.PullRequests.List(ctx, j.repo.owner, j.repo.name, &github.PullRequestListOptions{
		State: "all", Head: j.repo.owner + ":" + HardeningBranch, ListOptions: github.ListOptions{PerPage: 100},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list hardening pull requests: %w", err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() != HardeningBranch {
			continue
		}
		switch {
		case pr.GetState() == "open" && open == nil:
			open = pr
		case pr.GetState() == "closed" && pr.MergedAt == nil && !pr.GetMerged() && bodyHash(pr.GetBody()) == hash && closedSame == nil:
			closedSame = pr
		}
	}
	return open, closedSame, nil
}
