package app

import (
	"context"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/dashboard"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
)

// RescanObserver sees, once per Rescanner run, each installation's
// repositories as the run listed them: the organisation dashboard
// (dashboard.Dashboard) is one.
type RescanObserver interface {
	Installation(ctx context.Context, gh *github.Client, installationID int64, repos []*github.Repository) error
}

// NewDashboard is the organisation dashboard for a Rescanner's Observer:
// appID is the App's (its check runs are the ones read back).
func NewDashboard(appID int64, clients AppClients) *dashboard.Dashboard {
	return &dashboard.Dashboard{App: clients.App, AppID: appID}
}

// observe hands an installation's repositories to the Observer; what it
// cannot do is logged, never a failure of the rescan.
func (r *Rescanner) observe(ctx context.Context, gh *github.Client, id int64, repos []*github.Repository) {
	if r.Observer == nil {
		return
	}
	if err := r.Observer.Installation(ctx, gh, id, repos); err != nil {
		intake.LoggerFrom(ctx).Warn("organisation dashboard not updated", "installation", id, "err", err)
	}
}

// dashboardReport is what a default-branch check run tells the dashboard:
// findings by severity, Scorecard before and (with a PR) after, report
// mode, the PR.
func dashboardReport(sc *scanned, pr *prOutcome) *dashboard.Report {
	rep := &dashboard.Report{Before: dashboard.ScoreOf(sc.scores), After: dashboard.NoScore,
		ReportMode: sc.cfg.Mode == config.ModeReport}
	for _, f := range sc.findings {
		switch f.Severity {
		case checks.High:
			rep.High++
		case checks.Medium:
			rep.Medium++
		case checks.Low:
			rep.Low++
		}
	}
	if pr != nil {
		rep.PR = pr.Number
		if pr.ScoresAfter != nil {
			rep.After = dashboard.ScoreOf(pr.ScoresAfter)
		}
	}
	return rep
}

// configReport is the report of a check run that shows an invalid
// configuration.
func configReport(e *ConfigError) *dashboard.Report {
	return &dashboard.Report{Before: dashboard.NoScore, After: dashboard.NoScore, Error: e.Error()}
}

// reportText is the check run's text: the hidden report, when there is one.
func reportText(res checkResult) *string {
	if res.report == nil {
		return nil
	}
	return github.String(res.report.Text())
}
