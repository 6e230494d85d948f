package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/dashboard"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/templates"
)

// CheckName is the name of the App's check run.
const CheckName = "hardener"

// Limits of check-run output (GitHub).
const (
	annotationsPerRequest = 50
	maxSummaryChars       = 65535
)

// pendingCheck is the check run a job will complete.
type pendingCheck struct {
	sha string
	id  int64
	// completed is set when the run found was already completed; hash is
	// its external_id (see externalID), pr the pull request it judged.
	completed bool
	hash      string
	pr        int
}

// checkResult is what a completed check run shows.
type checkResult struct {
	Conclusion  string
	Title       string
	Summary     summaryData
	Annotations []*github.CheckRunAnnotation
	// prKey stands for the PR line in the result's hash: "opened" and
	// "up to date" of the same PR are the same result.
	prKey string
	// report goes, hidden, into the run's text for the dashboard.
	report *dashboard.Report
}

// summaryData feeds templates/check-summary.md.tmpl.
type summaryData struct {
	ConfigError    string
	Headline       string
	ShowIntroduced bool
	Rules          []ruleRow
	Hidden         int
	Advisory       string
	Scores         []scoreRow
	ShowAfter      bool
	PR             string
	Settings       []settingLine
	Notes          []string
	Errors         []string
	// Suppressions are the inline suppressions a pull request adds, which
	// its own check does not honour.
	Suppressions []string
}

type ruleRow struct {
	Rule, Severity, Docs string
	Count, Introduced    int
}

type scoreRow struct{ Check, Before, After string }

func openPRAction() []*github.CheckRunAction {
	return []*github.CheckRunAction{{
		Label: "Open hardening PR", Identifier: intake.ActionOpenHardeningPR,
		Description: "Open or refresh the hardening PR",
	}}
}

// startCheck finds the App's `hardener` run of sha, or creates it in
// progress. Runs of the same name by other Apps or by workflow jobs are
// not ours to update or to trust. A completed run is not reopened here:
// finishCheck decides whether it still shows the right thing.
func (j *jobRun) startCheck(ctx context.Context, sha string) (*pendingCheck, error) {
	app, err := j.w.identity(ctx)
	if err != nil {
		return nil, err
	}
	name := CheckName
	list, _, err := j.gh.Checks.ListCheckRunsForRef(ctx, j.repo.owner, j.repo.name, sha, &github.ListCheckRunsOptions{
		CheckName: &name, AppID: &app.ID, ListOptions: github.ListOptions{PerPage: 10},
	})
	if err != nil {
		return nil, fmt.Errorf("list check runs of %s: %w", sha, err)
	}
	pc := &pendingCheck{sha: sha}
	for _, r := range list.CheckRuns {
		if r.GetName() != CheckName || r.GetApp().GetID() != app.ID {
			continue
		}
		pc.id = r.GetID()
		pc.completed = r.GetStatus() == "completed"
		pc.hash = r.GetExternalID()
		pc.pr, _ = parseExternalID(pc.hash)
		j.log.Debug("check run found", "check_run", pc.id, "status", r.GetStatus())
		return pc, nil
	}
	r, _, err := j.gh.Checks.CreateCheckRun(ctx, j.repo.owner, j.repo.name, github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: sha, Status: github.String("in_progress"),
		StartedAt: &github.Timestamp{Time: time.Now()},
	})
	if err != nil {
		return nil, fmt.Errorf("create check run on %s: %w", sha, err)
	}
	pc.id = r.GetID()
	return pc, nil
}

// finishCheck completes the run with res: the first 50 annotations go with
// the completing request, the rest in further updates. A run that already
// shows the same result is left alone (a redelivered event); a completed
// run showing something else is followed by a new run, because
// annotations cannot be taken back from a run.
func (j *jobRun) finishCheck(ctx context.Context, pc *pendingCheck, res checkResult) error {
	summary, err := renderSummary(res.Summary)
	if err != nil {
		return err
	}
	hash := j.externalID(res)
	if pc.completed && pc.hash == hash {
		j.log.Info("check run already shows this result", "check_run", pc.id)
		return nil
	}
	if !j.supersedes(pc) {
		return nil
	}
	batches := batchAnnotations(res.Annotations)
	out := func(b []*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String(res.Title), Summary: github.String(summary), Text: reportText(res), Annotations: b}
	}
	now := &github.Timestamp{Time: time.Now()}
	if pc.completed || pc.id == 0 {
		r, err := j.createCheckRun(ctx, github.CreateCheckRunOptions{
			Name: CheckName, HeadSHA: pc.sha, Status: github.String("completed"),
			Conclusion: github.String(res.Conclusion), CompletedAt: now, ExternalID: github.String(hash),
			Output: out(batches[0]), Actions: openPRAction(),
		})
		if err != nil {
			return fmt.Errorf("create check run on %s: %w", pc.sha, err)
		}
		pc.id = r.GetID()
	} else {
		_, _, err := j.gh.Checks.UpdateCheckRun(ctx, j.repo.owner, j.repo.name, pc.id, github.UpdateCheckRunOptions{
			Name: CheckName, Status: github.String("completed"), Conclusion: github.String(res.Conclusion),
			CompletedAt: now, ExternalID: github.String(hash), Output: out(batches[0]), Actions: openPRAction(),
		})
		if err != nil {
			return fmt.Errorf("complete check run %d: %w", pc.id, err)
		}
	}
	for _, b := range batches[1:] {
		if _, _, err := j.gh.Checks.UpdateCheckRun(ctx, j.repo.owner, j.repo.name, pc.id, github.UpdateCheckRunOptions{
			Name: CheckName, Output: out(b),
		}); err != nil {
			return fmt.Errorf("annotate check run %d: %w", pc.id, err)
		}
	}
	j.log.Info("check run completed", "check_run", pc.id, "conclusion", res.Conclusion,
		"annotations", len(res.Annotations))
	return nil
}

// batchAnnotations splits annotations 50 per request; there is always at
// least one (possibly empty) batch.
func batchAnnotations(all []*github.CheckRunAnnotation) [][]*github.CheckRunAnnotation {
	out := [][]*github.CheckRunAnnotation{nil}
	for i, a := range all {
		if i > 0 && i%annotationsPerRequest == 0 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], a)
	}
	return out
}

func resultHash(res checkResult) string {
	d := res.Summary
	d.PR = res.prKey
	b, _ := json.Marshal(struct {
		C, T string
		S    summaryData
		A    []*github.CheckRunAnnotation
	}{res.Conclusion, res.Title, d, res.Annotations})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// renderSummary renders the summary and truncates it below GitHub's limit.
func renderSummary(d summaryData) (string, error) {
	s, err := templates.Render("check-summary.md.tmpl", d)
	if err != nil {
		return "", err
	}
	return truncateSummary(s, maxSummaryChars), nil
}

// truncateSummary cuts s (counted in characters, as GitHub does) so that
// it fits limit with a note saying what was left out.
func truncateSummary(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	note := fmt.Sprintf("\n\n_…summary truncated (it has %d characters; GitHub shows %d). Run `hardener scan` on a checkout for the full report._\n", len(r), limit)
	keep := limit - len([]rune(note)) - 16
	return string(r[:keep]) + note
}
