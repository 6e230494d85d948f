package checks

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/rhysd/actionlint"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// validity returns invalid-workflow findings for workflows that are valid
// YAML but not workflows GitHub runs: actionlint's syntax checks (unknown
// keys, a job without runs-on, a step with both uses and run, malformed
// on: and uses: values, needs of jobs that do not exist), placed at our
// own byte positions, plus the `uses:` forms actionlint does not judge.
func validity(snap *repo.Snapshot) []Finding {
	m := Load(snap)
	return snap.Memo("checks.validity", func() any {
		// actionlint parses each file again with its own parser, the
		// costliest part of a first scan: files are judged in parallel,
		// one per CPU, and their findings kept in file order.
		per := make([][]Finding, len(m.Files))
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		var wg sync.WaitGroup
		for i, f := range m.Files {
			if f.Workflow == nil {
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				per[i] = validateWorkflow(f)
			})
		}
		wg.Wait()
		var out []Finding
		for _, fs := range per {
			out = append(out, fs...)
		}
		return out
	}).([]Finding)
}

func validateWorkflow(f *workflow.File) []Finding {
	var out []Finding
	self := map[int]bool{} // lines of `$/` references, which actionlint does not know
	bad := map[int]bool{}  // lines of `uses:` values reported here (an expression in one, say)
	for _, v := range f.Uses() {
		if strings.HasPrefix(v.Value, "$/") {
			self[v.Line] = true
		}
		if p := UsesProblem(v.Value); p != "" {
			out = append(out, invalidAt(loc(f, v), fmt.Sprintf("uses: %s is not a valid reference: %s", v.Value, p)))
			bad[v.Line] = true
		}
	}
	if f.Expanded > workflow.ExpandLimit {
		return out // expanding its aliases is more work than a workflow needs
	}
	for _, e := range lintCache.errors(f.Source.Src) {
		if !keepLintError(e) || self[e.Line] || bad[e.Line] && e.Kind == "expression" {
			continue
		}
		out = append(out, invalidAt(lintPlace(f, e), e.Message))
	}
	return out
}

func invalidAt(l Location, msg string) Finding {
	return Finding{Rule: RuleInvalidWorkflow, Severity: Medium, Confidence: ConfidenceHigh,
		Message: "GitHub refuses to run this workflow: " + msg, Primary: l}
}

// actionlintErrors runs actionlint's parser and the rules that judge the
// shape of a workflow and where its expressions may use which contexts
// (not its style, expression types or the inputs of popular actions),
// without reading any other file.
func actionlintErrors(src []byte) (errs []*actionlint.Error) {
	defer func() {
		if r := recover(); r != nil {
			errs = nil // a crash in the linter is not the workflow's fault
		}
	}()
	w, errs := actionlint.Parse(src)
	if w == nil {
		return errs
	}
	rules := []actionlint.Rule{
		actionlint.NewRuleEvents(),
		actionlint.NewRuleJobNeeds(),
		actionlint.NewRuleID(), // duplicated step ids, malformed job and step ids
		actionlint.NewRuleAction(actionlint.NewLocalActionsCache(nil, nil)),
		actionlint.NewRuleWorkflowCall("", actionlint.NewLocalReusableWorkflowCache(nil, "", nil)),
		// For where a context or function may be used: GitHub refuses a
		// workflow that names env in a container image, for one.
		actionlint.NewRuleExpression(actionlint.NewLocalActionsCache(nil, nil), actionlint.NewLocalReusableWorkflowCache(nil, "", nil)),
	}
	v := actionlint.NewVisitor()
	for _, r := range rules {
		v.AddPass(r)
	}
	if err := v.Visit(w); err != nil {
		return errs
	}
	for _, r := range rules {
		errs = append(errs, r.Errs()...)
	}
	return errs
}

// lintLag are errors the linked actionlint version reports for syntax
// GitHub added after it was released.
var lintLag = []string{
	// https://github.blog/changelog/2026-05-07-github-actions-concurrency-groups-now-allow-larger-queues
	`unexpected key "queue" for "concurrency" section`,
}

// keepLintError keeps the errors that make GitHub refuse a workflow.
// actionlint also warns about things GitHub accepts (an unused anchor, a
// schedule more frequent than GitHub runs, an input that is both required
// and has a default); those are not invalid-workflow findings.
func keepLintError(e *actionlint.Error) bool {
	msg := e.Message
	for _, l := range lintLag {
		if strings.Contains(msg, l) {
			return false
		}
	}
	switch e.Kind {
	case "syntax-check":
		return !strings.Contains(msg, "is defined but not used")
	case "events":
		for _, s := range []string{"unknown Webhook event", "invalid activity type", "cannot be specified for",
			"invalid CRON format", "filter is not available", "filters cannot be used for the same event",
			"no workflow is configured", "cannot be configured for"} {
			if strings.Contains(msg, s) {
				return true
			}
		}
	case "job-needs", "id":
		return true
	case "action":
		return strings.Contains(msg, "in invalid format")
	case "workflow-call":
		return strings.Contains(msg, "is not following the format")
	case "expression":
		// Only what GitHub checks when it loads the workflow: a context or
		// function where it is not available, a function that does not
		// exist. Type errors (a property a payload may lack) are not.
		return strings.Contains(msg, "is not allowed here") || strings.HasPrefix(msg, "undefined function")
	}
	return false
}

// lintPlace turns actionlint's position (1-based line, column counted in
// characters) into ours: the `uses:` value on that line when the error is
// about one, else the first character at that place past any quote.
func lintPlace(f *workflow.File, e *actionlint.Error) Location {
	if e.Kind == "action" || e.Kind == "workflow-call" {
		for _, v := range f.Uses() {
			if v.Line == e.Line {
				return loc(f, v)
			}
		}
	}
	if e.Kind == "job-needs" {
		if v := missingNeed(f, e); v != nil {
			return loc(f, v)
		}
	}
	line := max(1, min(e.Line, f.Source.Lines()))
	off := f.Source.Offset(line, max(1, e.Column))
	if off < len(f.Source.Src) && (f.Source.Src[off] == '"' || f.Source.Src[off] == '\'') {
		off++
	}
	return locAt(f, off, off)
}

// missingNeed finds the `needs:` entry naming a job that does not exist,
// which actionlint places at the job's key.
func missingNeed(f *workflow.File, e *actionlint.Error) *workflow.Value {
	m := missingNeedMsg.FindStringSubmatch(e.Message)
	if m == nil || f.Workflow == nil {
		return nil
	}
	for _, j := range f.Workflow.Jobs {
		if j.Key.Line != e.Line {
			continue
		}
		for _, v := range j.NeedsAt {
			if strings.EqualFold(v.Value, m[1]) {
				return v
			}
		}
	}
	return nil
}

var missingNeedMsg = regexp.MustCompile(`needs job "([^"]+)" which does not exist`)
