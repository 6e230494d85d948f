package dashboard

import (
	"context"
	"sort"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/config"
)

// current is this run's rows.
type current struct {
	byID      map[int64]*Status
	watermark time.Time
}

func (c current) list() []*Status {
	out := make([]*Status, 0, len(c.byID))
	for _, r := range c.byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

type readStats struct{ read, deferred int }

// rows makes this run's rows: from the listing and the organisation file
// for every repository, from the previous rows for those not pushed since,
// and from GitHub (the latest check run and the hardening PR) for the rest,
// within MaxRefresh repositories.
func (d *Dashboard) rows(ctx context.Context, gh *github.Client, owner string, repos []*github.Repository, org *config.Org, orgSHA uint64, prev *saved) (current, readStats) {
	cur := current{byID: map[int64]*Status{}}
	for _, r := range repos {
		if t := r.GetPushedAt().Time; t.After(cur.watermark) {
			cur.watermark = t
		}
	}
	// A changed organisation file may change every repository's result.
	orgChanged := orgSHA != prev.OrgConfig
	budget := d.MaxRefresh
	if budget == 0 {
		budget = DefaultMaxRefresh
	}
	var stats readStats
	logger := intake.LoggerFrom(ctx)
	for _, r := range repos {
		if r.GetArchived() {
			continue // the App does not scan archived repositories
		}
		row := &Status{ID: r.GetID(), Name: r.GetName(), URL: r.GetHTMLURL(), Private: isPrivate(r),
			Before: NoScore, After: NoScore}
		old := prev.Rows[row.ID]
		if !org.Enabled(owner + "/" + r.GetName()) {
			row.State = OptedOut
			cur.byID[row.ID] = row
			continue
		}
		changed := old == nil || old.Recheck || old.State == OptedOut || orgChanged ||
			r.GetPushedAt().Time.After(prev.Watermark)
		if !changed {
			keep(row, old)
			cur.byID[row.ID] = row
			continue
		}
		if budget == 0 {
			if old != nil {
				keep(row, old)
			}
			row.Recheck = true
			stats.deferred++
			cur.byID[row.ID] = row
			continue
		}
		budget--
		stats.read++
		ok, err := d.read(ctx, gh, owner, r, row, old)
		switch {
		case err != nil:
			logger.Warn("dashboard: could not read a repository; kept its row", "repo", r.GetFullName(), "err", ghclient.Redact(err))
			if old != nil {
				keep(row, old)
			}
			row.Recheck = true
		case !ok:
			continue // empty repository: nothing to show
		}
		cur.byID[row.ID] = row
	}
	return cur, stats
}

// keep copies what a row knew from the previous run.
func keep(row, old *Status) {
	row.State, row.Findings, row.Before, row.After = old.State, old.Findings, old.Before, old.After
	row.PR, row.CheckRun, row.Message, row.Recheck = old.PR, old.CheckRun, old.Message, old.Recheck
}

// read fills row from the repository's latest `hardener` check run on its
// default branch (and the Report the job left in it) and its hardening PR.
// ok is false for a repository without a default branch (empty).
func (d *Dashboard) read(ctx context.Context, gh *github.Client, owner string, r *github.Repository, row, old *Status) (bool, error) {
	name := checkName
	opts := &github.ListCheckRunsOptions{CheckName: &name, Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: 10}}
	if d.AppID != 0 {
		opts.AppID = &d.AppID
	}
	list, _, err := gh.Checks.ListCheckRunsForRef(ctx, owner, r.GetName(), r.GetDefaultBranch(), opts)
	if ghclient.IsNotFound(err) || ghclient.Status(err) == 422 {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var run *github.CheckRun
	for _, c := range list.CheckRuns {
		if c.GetName() == checkName && (d.AppID == 0 || c.GetApp() == nil || c.GetApp().GetID() == d.AppID) {
			run = c
			break
		}
	}
	if run == nil || run.GetStatus() != "completed" {
		// Queued or being scanned: the result is still to come.
		row.State, row.Recheck = Pending, true
		if old != nil {
			row.Findings, row.Before, row.After = old.Findings, old.Before, old.After
		}
		return true, nil
	}
	row.CheckRun = run.GetID()
	rep, hasReport := ParseReport(run.GetOutput().GetText())
	switch {
	case rep.Error != "":
		row.State, row.Message = Failed, rep.Error
		return true, nil
	case !hasReport && run.GetConclusion() == "failure" && run.GetOutput().GetTitle() == "Invalid Hardener configuration":
		row.State, row.Message = Failed, "invalid configuration (see the check run)"
		return true, nil
	case run.GetConclusion() == "skipped":
		// Opted out when it ran; switched on since: the next scan tells.
		row.State = Pending
		return true, nil
	}
	row.Findings, row.Before, row.After = rep.Findings, rep.Before, rep.After
	if rep.ReportMode {
		row.State = ReportMode
		return true, nil
	}
	prs, _, err := gh.PullRequests.List(ctx, owner, r.GetName(), &github.PullRequestListOptions{
		State: "all", Head: owner + ":" + hardeningBranch, ListOptions: github.ListOptions{PerPage: 1},
	})
	if err != nil {
		return false, err
	}
	row.State = Scanned
	if len(prs) > 0 {
		pr := prs[0]
		row.PR = pr.GetNumber()
		switch {
		case pr.GetState() == "open":
			row.State = PROpen
		case pr.MergedAt != nil || pr.GetMerged():
			row.State = PRMerged
		default:
			row.State = PRClosed
		}
	}
	if row.After == NoScore && old != nil && old.PR == row.PR {
		row.After = old.After // the run was a commit's, without the PR's scores
	}
	if row.State == PRMerged && row.After == NoScore {
		row.After = row.Before // merged: the branch's own score is the after
	}
	return true, nil
}
