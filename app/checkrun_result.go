package app

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/templates"
)

// configFailure is the failing run of an invalid configuration: the
// summary quotes the error and, for the repository's own file, the lines
// are annotated.
func configFailure(e *ConfigError) checkResult {
	// The summary shows e.Error() in a code block (templates.CodeBlock).
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

// fileErrors lists the files the scan could not read: errors of the scan,
// and files a rule reads that the snapshot could not (see
// snapshot.Tree.Unread).
func fileErrors(sc *scanned) []string {
	var out []string
	for _, e := range sc.errors {
		out = append(out, templates.Code(e.File)+": "+templates.Text(e.Message))
	}
	for _, p := range unread(sc) {
		out = append(out, templates.Code(p)+": "+templates.Text(sc.tree.Unseen[p]))
	}
	return out
}

// unread is the sorted list of files a rule reads that the App could not.
func unread(sc *scanned) []string {
	if sc.tree == nil {
		return nil
	}
	out := sc.tree.Unread()
	sort.Strings(out)
	return out
}

// newlyUnread lists the files of head the App could not read that the base
// did not have unread too: a pull request that hides more files than the
// App reads one by one cannot pass.
func newlyUnread(head, base *scanned) []string {
	old := map[string]bool{}
	for _, p := range unread(base) {
		old[p] = true
	}
	var out []string
	for _, p := range unread(head) {
		if !old[p] {
			out = append(out, p)
		}
	}
	return out
}

// defaultBranchResult shows every finding of a branch head; the
// conclusion is neutral (nothing to compare with).
func defaultBranchResult(sc *scanned, pr *prOutcome, adv *advisoryOutcome) checkResult {
	res := checkResult{Conclusion: "neutral", Title: plural(len(sc.findings), "finding", "findings")}
	d := summaryData{Rules: ruleRows(sc.findings, nil), Errors: fileErrors(sc), Notes: configNotes(sc.cfg)}
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
	if d.Hidden > 0 && sc.cfg.Mode == config.ModeReport {
		d.Notes = append(d.Notes, "In `mode: report` Hardener writes nothing but this check run, so no draft security advisory holds the details of the exploitable findings: run `hardener scan` on a checkout to see them.")
	}
	d.Headline = fmt.Sprintf("Hardener found %s on this commit.", plural(len(sc.findings), "finding", "findings"))
	if len(sc.findings) == 0 {
		d.Headline = "Hardener found nothing to report on this commit."
	}
	d.Scores = scoreRows(sc.scores, nil)
	if sc.scoreErr != "" {
		d.Notes = append(d.Notes, "OpenSSF Scorecard could not run: "+templates.Text(sc.scoreErr))
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
// An inline suppression counts only where the base has the same one (same
// file, rule and line): a pull request cannot silence the check that
// judges it. Its new suppressions are listed, and their findings judged.
func pullRequestResult(head, base *scanned, failOn checks.FailOn) checkResult {
	newSup, _ := introduced(head.suppressed, base.suppressed)
	active := append(slices.Clip(head.findings), newSup...)
	added, existing := introduced(active, append(slices.Clip(base.findings), base.suppressed...))
	res := checkResult{Conclusion: "success"}
	d := summaryData{ShowIntroduced: true, Rules: ruleRows(active, added),
		Errors: fileErrors(head), Notes: configNotes(head.cfg), Suppressions: suppressionLines(head, newSup)}
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
	hidden := newlyUnread(head, base)
	if failing > 0 || len(hidden) > 0 {
		res.Conclusion = "failure"
	}
	res.Title = fmt.Sprintf("%s introduced, %d already on the base", plural(len(added), "finding", "findings"), len(existing))
	switch {
	case len(hidden) > 0:
		d.Headline = fmt.Sprintf("This pull request hides %s that Hardener reads from the repository archive, more than it reads one by one, so it cannot be checked (listed under Not scanned).", plural(len(hidden), "file", "files"))
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

// suppressionLines lists the suppressions a pull request adds; those of
// exploitable findings in a public repository are counted, not described.
func suppressionLines(head *scanned, added []checks.Finding) []string {
	var out []string
	hidden := 0
	for _, f := range added {
		if head.hidden(f) {
			hidden++
			continue
		}
		out = append(out, fmt.Sprintf("%s line %d: %s (%s)", templates.Code(f.Primary.File), f.Primary.Line, templates.Code(f.Rule), f.Severity))
	}
	if hidden > 0 {
		out = append(out, fmt.Sprintf("%s of exploitable findings (not described in public)", plural(hidden, "suppression", "suppressions")))
	}
	return out
}

// configNotes are the configuration's notes as Markdown lines.
func configNotes(cfg config.Config) []string {
	out := make([]string, 0, len(cfg.Notes))
	for _, n := range cfg.Notes {
		out = append(out, templates.Text(n))
	}
	return out
}
