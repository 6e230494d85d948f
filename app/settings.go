package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/templates"
)

// settingLine is one line of the check run's "Repository settings"
// section. Only Key counts in the result's hash, so that "enabled" and
// "already enabled" are the same result and a redelivery posts no new run.
type settingLine struct {
	Text string `json:"-"`
	Key  string
}

// settingsOutcome is what the settings step did on the default branch.
type settingsOutcome struct {
	Lines []settingLine
	// news is set when a setting was changed or could not be: worth a
	// check run even on a job that posts none otherwise (rescans).
	news bool
}

func (s *settingsOutcome) add(key, text string, news bool) {
	s.Lines = append(s.Lines, settingLine{Key: key, Text: text})
	s.news = s.news || news
}

// lines is nil-safe for the summary.
func (s *settingsOutcome) lines() []settingLine {
	if s == nil {
		return nil
	}
	return s.Lines
}

func (s *settingsOutcome) hasNews() bool { return s != nil && s.news }

// adminHint says what a refused settings change needs.
const adminHint = "it needs the App permission **administration: write** (register the App from `hardener manifest --admin`, or accept the permission in the installation settings)"

// applySettings changes repository settings that config asks for: private
// vulnerability reporting and branch protection. Only jobs on the default
// branch in `mode: pr` call it. A 403/404 is reported, never fatal; rate
// limits and server errors are returned so that the job is retried.
func (j *jobRun) applySettings(ctx context.Context, sc *scanned) (*settingsOutcome, error) {
	so := &settingsOutcome{}
	if sc.cfg.Mode == config.ModeReport {
		return so, nil
	}
	if sc.cfg.Enabled(checks.FixSecurityPolicy) && !j.repo.private {
		if err := j.ensurePVR(ctx, so); err != nil {
			return nil, err
		}
	}
	if sc.cfg.Enabled(checks.FixBranchProtection) {
		if err := j.ensureBranchProtection(ctx, sc, so); err != nil {
			return nil, err
		}
	}
	return so, nil
}

// ensurePVR enables private vulnerability reporting unless it is on: one
// GET when nothing changes.
func (j *jobRun) ensurePVR(ctx context.Context, so *settingsOutcome) error {
	if g := j.granted; g != nil && g["administration"] != "write" {
		// Known without asking: GitHub would refuse both requests.
		so.add("pvr:forbidden", "Private vulnerability reporting could not be enabled: "+adminHint+".", false)
		return nil
	}
	on, _, err := j.gh.Repositories.IsPrivateReportingEnabled(ctx, j.repo.owner, j.repo.name)
	if err == nil && on {
		so.add("pvr:on", "Private vulnerability reporting is enabled.", false)
		return nil
	}
	if err == nil {
		_, err = j.gh.Repositories.EnablePrivateReporting(ctx, j.repo.owner, j.repo.name)
		if err == nil {
			j.log.Info("private vulnerability reporting enabled")
			so.add("pvr:on", "Enabled private vulnerability reporting, so that people can report vulnerabilities to the maintainers privately.", true)
			return nil
		}
	}
	status, msg, ok := ghclient.Refused(err)
	if !ok {
		return fmt.Errorf("private vulnerability reporting: %w", err)
	}
	j.log.Warn("private vulnerability reporting not changed", "status", status, "err", msg)
	if status == http.StatusUnprocessableEntity {
		so.add("pvr:refused", fmt.Sprintf("GitHub refused to enable private vulnerability reporting: %s", templates.Text(msg)), true)
		return nil
	}
	// Not news: the install's check run shows it, and an installation
	// without the permission would otherwise touch the head's run on every
	// rescan.
	so.add("pvr:forbidden", "Private vulnerability reporting could not be enabled: "+adminHint+".", false)
	return nil
}

// refused reports whether err is GitHub refusing the request (see
// ghclient.Refused): a feature the plan, the repository or the App's
// permissions do not offer, reported rather than failing the job.
func refused(err error) bool {
	_, _, ok := ghclient.Refused(err)
	return ok
}

// needsPlan reports whether a refusal says the plan lacks the feature
// (rulesets or protection on a private repository of a free plan), as
// opposed to the installation lacking the permission.
func needsPlan(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "upgrade to github") || strings.Contains(m, "make this repository public") ||
		strings.Contains(m, "not available")
}

// reportSettings shows res on the head's `hardener` run for a job that
// posts no run of its own (rescan, PR refresh). A completed run of the same
// commit already carries the same findings, so its summary is updated in
// place, keeping its annotations, rather than a second run being added.
func (j *jobRun) reportSettings(ctx context.Context, sha string, res checkResult) error {
	pc, err := j.startCheck(ctx, sha)
	if err != nil {
		return err
	}
	hash := j.externalID(res)
	if !pc.completed {
		return j.finishCheck(ctx, pc, res)
	}
	if pc.hash == hash || !j.supersedes(pc) {
		return nil
	}
	summary, err := renderSummary(res.Summary)
	if err != nil {
		return err
	}
	_, _, err = j.gh.Checks.UpdateCheckRun(ctx, j.repo.owner, j.repo.name, pc.id, github.UpdateCheckRunOptions{
		Name: CheckName, Conclusion: github.String(res.Conclusion), ExternalID: github.String(hash),
		Output: &github.CheckRunOutput{Title: github.String(res.Title), Summary: github.String(summary)},
	})
	if err != nil {
		return fmt.Errorf("update check run %d: %w", pc.id, err)
	}
	j.log.Info("check run summary updated with repository settings", "check_run", pc.id)
	return nil
}
