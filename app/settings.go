package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
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
func (w *Worker) applySettings(ctx context.Context, gh *github.Client, ri repoInfo, sc *scanned) (*settingsOutcome, error) {
	so := &settingsOutcome{}
	if sc.cfg.Mode == config.ModeReport {
		return so, nil
	}
	if sc.cfg.Enabled(checks.FixSecurityPolicy) && !ri.private {
		if err := w.ensurePVR(ctx, gh, ri, so); err != nil {
			return nil, err
		}
	}
	if sc.cfg.Enabled(checks.FixBranchProtection) {
		if err := w.ensureBranchProtection(ctx, gh, ri, sc, so); err != nil {
			return nil, err
		}
	}
	return so, nil
}

// ensurePVR enables private vulnerability reporting unless it is on: one
// GET when nothing changes.
func (w *Worker) ensurePVR(ctx context.Context, gh *github.Client, ri repoInfo, so *settingsOutcome) error {
	logger := LoggerFrom(ctx)
	if g := granted(ctx); g != nil && g["administration"] != "write" {
		// Known without asking: GitHub would refuse both requests.
		so.add("pvr:forbidden", "Private vulnerability reporting could not be enabled: "+adminHint+".", false)
		return nil
	}
	on, _, err := gh.Repositories.IsPrivateReportingEnabled(ctx, ri.owner, ri.name)
	if err == nil && on {
		so.add("pvr:on", "Private vulnerability reporting is enabled.", false)
		return nil
	}
	if err == nil {
		_, err = gh.Repositories.EnablePrivateReporting(ctx, ri.owner, ri.name)
		if err == nil {
			logger.Info("private vulnerability reporting enabled")
			so.add("pvr:on", "Enabled private vulnerability reporting, so that people can report vulnerabilities to the maintainers privately.", true)
			return nil
		}
	}
	status, msg, ok := refusal(err)
	if !ok {
		return fmt.Errorf("private vulnerability reporting: %w", err)
	}
	logger.Warn("private vulnerability reporting not changed", "status", status, "err", msg)
	if status == http.StatusUnprocessableEntity {
		so.add("pvr:refused", fmt.Sprintf("GitHub refused to enable private vulnerability reporting: %s", msg), true)
		return nil
	}
	// Not news: the install's check run shows it, and an installation
	// without the permission would otherwise touch the head's run on every
	// rescan.
	so.add("pvr:forbidden", "Private vulnerability reporting could not be enabled: "+adminHint+".", false)
	return nil
}

// refusal reports whether err is GitHub refusing a request (403, 404 or
// 422) rather than a rate limit or an outage, with its status and message.
// go-github turns rate limits into their own types, so they never match.
func refusal(err error) (int, string, bool) {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return 0, "", false
	}
	switch s := er.Response.StatusCode; s {
	case http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity:
		return s, er.Message, true
	}
	return 0, "", false
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
func (w *Worker) reportSettings(ctx context.Context, gh *github.Client, ri repoInfo, sha string, res checkResult) error {
	pc, err := w.startCheck(ctx, gh, ri, sha)
	if err != nil {
		return err
	}
	hash := resultHash(res)
	if !pc.completed {
		return w.finishCheck(ctx, gh, ri, pc, res)
	}
	if pc.hash == hash {
		return nil
	}
	summary, err := renderSummary(res.Summary)
	if err != nil {
		return err
	}
	_, _, err = gh.Checks.UpdateCheckRun(ctx, ri.owner, ri.name, pc.id, github.UpdateCheckRunOptions{
		Name: CheckName, Conclusion: github.String(res.Conclusion), ExternalID: github.String(hash),
		Output: &github.CheckRunOutput{Title: github.String(res.Title), Summary: github.String(summary)},
	})
	if err != nil {
		return fmt.Errorf("update check run %d: %w", pc.id, err)
	}
	LoggerFrom(ctx).Info("check run summary updated with repository settings", "check_run", pc.id)
	return nil
}
