package app

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
)

// configFailure is the failing run of an invalid configuration: the
// summary quotes the error and, for the repository's own file, the lines
// are annotated.
func configFailure(e *ConfigError) checkResult {
	res := checkResult{Conclusion: "failure", Title: "Invalid Hardener configuration",
		Summary: summaryData{ConfigError: e.Error()}, report: configReport(e)}
	var errs config.Errors
	if errors.As(e.Err, &errs) && !strings.Contains(e.Source, "/"+orgRepo+":") {
		for _, ce := range errs {
			if ce.Line == 0 {
				continue
			}
			res.Annotations = append(res.Annotations, &github.CheckRunAnnotation{
				Path: github.String(config.File), StartLine: github.Int(ce.Line), EndLine: github.Int(ce.Line),
				AnnotationLevel: github.String("failure"), Title: github.String("invalid configuration"),
				Message: github.String(ce.Message),
			})
		}
	}
	return res
}

func optedOut() checkResult {
	return checkResult{Conclusion: "skipped", Title: "Hardener is off for this repository",
		Summary: summaryData{Headline: "The organisation's configuration (`repositories.opt-in`/`opt-out`) switches Hardener off for this repository."}}
}

func level(s checks.Severity) string {
	switch s {
	case checks.High:
		return "failure"
	case checks.Medium:
		return "warning"
	}
	return "notice"
}

// annotation places a finding at its exact line (and columns on one line).
func annotation(f checks.Finding, lvl string) *github.CheckRunAnnotation {
	p := f.Primary
	end := p.EndLine
	if end < p.Line {
		end = p.Line
	}
	a := &github.CheckRunAnnotation{
		Path: github.String(p.File), StartLine: github.Int(max(p.Line, 1)), EndLine: github.Int(max(end, 1)),
		AnnotationLevel: github.String(lvl), Title: github.String(fmt.Sprintf("%s (%s)", f.Rule, f.Severity)),
		Message: github.String(f.Message),
	}
	if end == p.Line && p.Column > 0 && p.EndColumn > p.Column {
		a.StartColumn, a.EndColumn = github.Int(p.Column), github.Int(p.EndColumn)
	}
	if f.Remediation != "" {
		a.RawDetails = github.String("Fixed by the `" + f.Remediation + "` remediation of the hardening pull request.")
	}
	return a
}

// ruleRows counts findings by rule, in the rules' documented order.
func ruleRows(all, added []checks.Finding) []ruleRow {
	count, intro, sev := map[string]int{}, map[string]int{}, map[string]checks.Severity{}
	for _, f := range all {
		count[f.Rule]++
		sev[f.Rule] = max(sev[f.Rule], f.Severity)
	}
	for _, f := range added {
		intro[f.Rule]++
	}
	var rows []ruleRow
	seen := map[string]bool{}
	for _, m := range checks.Rules() {
		if count[m.ID] > 0 {
			rows = append(rows, ruleRow{Rule: m.ID, Severity: sev[m.ID].String(), Docs: m.DocsURL(), Count: count[m.ID], Introduced: intro[m.ID]})
			seen[m.ID] = true
		}
	}
	var rest []string
	for id := range count {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		rows = append(rows, ruleRow{Rule: id, Severity: sev[id].String(), Docs: checks.RuleMeta{ID: id}.DocsURL(), Count: count[id], Introduced: intro[id]})
	}
	return rows
}

// scoreRows lists Scorecard's checks with before → after scores.
func scoreRows(before, after map[string]int) []scoreRow {
	if before == nil {
		return nil
	}
	show := func(m map[string]int, k string) string {
		v, ok := m[k]
		switch {
		case !ok:
			return "–"
		case v == scorecard.Inconclusive:
			return "?"
		}
		return fmt.Sprintf("%d / 10", v)
	}
	var rows []scoreRow
	for _, c := range scorecard.Checks {
		rows = append(rows, scoreRow{Check: c, Before: show(before, c), After: show(after, c)})
	}
	return rows
}

func fileErrors(errs []checks.FileError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, fmt.Sprintf("`%s`: %s", e.File, e.Message))
	}
	return out
}

// defaultBranchResult shows every finding of a branch head; the
// conclusion is neutral (nothing to compare with).
func defaultBranchResult(sc *scanned, pr *prOutcome, adv *advisoryOutcome) checkResult {
	res := checkResult{Conclusion: "neutral", Title: plural(len(sc.findings), "finding", "findings")}
	d := summaryData{Rules: ruleRows(sc.findings, nil), Errors: fileErrors(sc.errors), Notes: sc.cfg.Notes}
	for _, f := range sc.findings {
		if sc.hidden(f) {
			d.Hidden++
			continue
		}
		res.Annotations = append(res.Annotations, annotation(f, level(f.Severity)))
	}
	if adv != nil {
		d.Advisory = adv.URL
	}
	d.Headline = fmt.Sprintf("Hardener found %s on this commit.", plural(len(sc.findings), "finding", "findings"))
	if len(sc.findings) == 0 {
		d.Headline = "Hardener found nothing to report on this commit."
	}
	d.Scores = scoreRows(sc.scores, nil)
	if sc.scoreErr != "" {
		d.Notes = append(d.Notes, "OpenSSF Scorecard could not run: "+sc.scoreErr)
	}
	if pr != nil {
		d.PR, res.prKey = pr.Message, pr.key()
		if pr.ScoresAfter != nil {
			d.Scores, d.ShowAfter = scoreRows(sc.scores, pr.ScoresAfter), true
		}
		d.Notes = append(d.Notes, pr.notes()...)
	}
	res.Summary = d
	res.report = dashboardReport(sc, pr)
	return res
}

// pullRequestResult judges a PR by what it introduces: failure when an
// introduced finding reaches fail-on; pre-existing findings are notices.
func pullRequestResult(head, base *scanned, failOn checks.FailOn) checkResult {
	added, existing := introduced(head.findings, base.findings)
	res := checkResult{Conclusion: "success"}
	d := summaryData{ShowIntroduced: true, Rules: ruleRows(head.findings, added),
		Errors: fileErrors(head.errors), Notes: head.cfg.Notes}
	failing := 0
	for _, f := range added {
		if failOn.Fails(f.Severity) {
			failing++
		}
		if head.hidden(f) {
			d.Hidden++
			continue
		}
		res.Annotations = append(res.Annotations, annotation(f, level(f.Severity)))
	}
	for _, f := range existing {
		if head.hidden(f) {
			d.Hidden++
			continue
		}
		res.Annotations = append(res.Annotations, annotation(f, "notice"))
	}
	if failing > 0 {
		res.Conclusion = "failure"
	}
	res.Title = fmt.Sprintf("%s introduced, %d already on the base", plural(len(added), "finding", "findings"), len(existing))
	switch {
	case failing > 0:
		d.Headline = fmt.Sprintf("This pull request introduces %s at or above `fail-on: %s`.", plural(failing, "finding", "findings"), failOn)
	case len(added) > 0:
		d.Headline = fmt.Sprintf("This pull request introduces %s, all below `fail-on: %s`.", plural(len(added), "finding", "findings"), failOn)
	default:
		d.Headline = "This pull request introduces no finding."
	}
	if len(existing) > 0 {
		d.Headline += fmt.Sprintf(" %s already on the base branch are shown as notices.", plural(len(existing), "finding", "findings"))
	}
	res.Summary = d
	return res
}
