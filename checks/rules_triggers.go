package checks

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// privileged triggers run with the base repository's token and secrets
// on events that outsiders can cause.
var privileged = []string{"pull_request_target", "workflow_run"}

type dangerousTrigger struct{}

func (dangerousTrigger) ID() string { return RuleDangerousTrigger }

func (dangerousTrigger) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		if f.Workflow == nil {
			continue
		}
		for i := range f.Workflow.On {
			t := &f.Workflow.On[i]
			for _, p := range privileged {
				if t.Name == p {
					out = append(out, Finding{Rule: RuleDangerousTrigger, Severity: Info, Confidence: ConfidenceHigh,
						Message: fmt.Sprintf("%s runs with a write token and secrets on events from forks: never check out or "+
							"expand their content in this workflow", p),
						Primary: loc(f, &t.At)})
				}
			}
		}
	}
	return out, nil
}

// untrustedRefs are expressions naming a pull request's own code.
var untrustedRefs = []string{
	"github.event.pull_request.head.sha", "github.event.pull_request.head.ref",
	"github.event.pull_request.merge_commit_sha", "github.head_ref",
	"github.event.workflow_run.head_sha", "github.event.workflow_run.head_branch",
	"github.event.workflow_run.head_commit.id", "github.event.issue.number",
	"github.event.pull_request.number", "github.event.number",
	"github.event.workflow_run.pull_requests.*.head.sha", "github.event.workflow_run.pull_requests.*.head.ref",
}

type untrustedCheckout struct{}

func (untrustedCheckout) ID() string { return RuleUntrustedCheckout }

func (untrustedCheckout) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		w := f.Workflow
		if w == nil {
			continue
		}
		var trig *workflow.Trigger
		for i := range w.On {
			switch w.On[i].Name {
			case "pull_request_target", "workflow_run", "issue_comment":
				trig = &w.On[i]
			}
		}
		if trig == nil {
			continue
		}
		for _, j := range w.Jobs {
			for i, s := range j.Steps {
				primary := untrustedCheckoutLoc(f, s)
				if primary == nil {
					continue
				}
				runner := firstRunner(j.Steps[i+1:])
				if runner == nil {
					continue
				}
				out = append(out, Finding{Rule: RuleUntrustedCheckout, Severity: High, Confidence: ConfidenceMedium,
					Message: fmt.Sprintf("job %q checks out the pull request's code on %s and then runs %q: a fork's author "+
						"controls that code and gets this workflow's token and secrets", j.ID, trig.Name, runner.Label()),
					Primary: *primary,
					Related: []Location{
						{File: f.Path, Line: trig.At.Line, Column: trig.At.Column, Note: "privileged trigger"},
						relatedStep(f, runner, "runs the checked-out code"),
					}})
			}
		}
	}
	return out, nil
}

// untrustedCheckoutAt returns the value that makes a step check out
// pull-request code: the checkout's `ref:`, or a script that runs `gh pr
// checkout` or fetches a pull request's ref, with the span of the line
// that does it (lo == hi: the whole value).
func untrustedCheckoutAt(s *workflow.Step) (v *workflow.Value, lo, hi int) {
	if s.Uses != nil {
		u, ok := ParseUses(s.Uses.Value)
		if ok && strings.EqualFold(u.Name(), "actions/checkout") {
			ref := s.WithValue("ref")
			if ref != nil && mentionsUntrusted(ref.Value) && !baseBranch(ref.Value, s.WithValue("repository")) {
				return ref, 0, 0
			}
		}
		return nil, 0, 0
	}
	if s.Run == nil {
		return nil, 0, 0
	}
	script := s.Run.Value
	if m := prCheckout.FindStringIndex(script); m != nil {
		lo := strings.LastIndexByte(script[:m[0]], '\n') + 1
		lo += len(script[lo:]) - len(strings.TrimLeft(script[lo:], " \t"))
		hi := len(script)
		if i := strings.IndexByte(script[m[0]:], '\n'); i >= 0 {
			hi = m[0] + i
		}
		return s.Run, lo, hi
	}
	if strings.Contains(script, "git fetch") && strings.Contains(script, "pull/") {
		return s.Run, 0, 0 // the fetch and its refspec on different lines
	}
	return nil, 0, 0
}

// untrustedCheckoutLoc is where a step checks out pull-request code, or
// nil.
func untrustedCheckoutLoc(f *workflow.File, s *workflow.Step) *Location {
	at, lo, hi := untrustedCheckoutAt(s)
	if at == nil {
		return nil
	}
	l := loc(f, at)
	if hi > lo {
		offs := at.SourceOffsets(f.Source.Src, []int{lo, hi})
		l = locAt(f, offs[0], offs[1])
	}
	return &l
}

// prCheckout finds a command that checks out or fetches a pull request's
// head: `gh pr checkout`, or `git fetch` of `pull/N/head` (with or
// without `refs/`), which the base repository serves for forks too.
var prCheckout = regexp.MustCompile(`\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/`)

// branchRefs are the untrusted refs that name a branch, not a commit.
var branchRefs = map[string]bool{
	"github.head_ref": true, "github.event.pull_request.head.ref": true,
	"github.event.workflow_run.head_branch": true, "github.event.workflow_run.pull_requests.*.head.ref": true,
}

// baseBranch reports whether a checkout's ref names only a pull request's
// branch by name while the checkout reads the base repository (no
// `repository:` naming the head repository). A fork's branch does not
// exist there, so what is checked out is a branch of this repository,
// which only people with write access push to. A SHA or refs/pull/ is
// different: the base repository serves the fork's commits by either.
func baseBranch(ref string, repo *workflow.Value) bool {
	if strings.Contains(ref, "refs/pull/") {
		return false
	}
	for _, e := range workflow.Expressions(ref) {
		for _, c := range e.Contexts {
			if !branchRefs[c] && slices.Contains(untrustedRefs, c) {
				return false
			}
		}
	}
	if repo == nil {
		return true
	}
	for _, e := range workflow.Expressions(repo.Value) {
		for _, c := range e.Contexts {
			if c != "github.repository" {
				return false // the head repository, or one we cannot tell
			}
		}
	}
	return true // a literal repository is not the fork's
}

func mentionsUntrusted(v string) bool {
	if strings.Contains(v, "refs/pull/") {
		return true
	}
	for _, e := range workflow.Expressions(v) {
		for _, c := range e.Contexts {
			for _, u := range untrustedRefs {
				if c == u {
					return true
				}
			}
		}
	}
	return false
}

// firstRunner returns the first later step that executes repository code.
func firstRunner(steps []*workflow.Step) *workflow.Step {
	for _, s := range steps {
		if s.Run != nil && !inertScript(s) {
			return s
		}
		if s.Uses != nil && strings.HasPrefix(s.Uses.Value, "./") {
			return s
		}
	}
	return nil
}

// inertCommands neither execute nor interpret the files of a checkout.
var inertCommands = map[string]bool{
	"echo": true, "printf": true, "true": true, "false": true, "exit": true, ":": true, "date": true,
	"pwd": true, "ls": true, "sleep": true, "cat": true, "wc": true, "head": true, "tail": true,
}

// inertScript reports whether a bash or sh script only prints: every
// command is one of inertCommands, with no command substitution. Anything
// else (a build, a script of the checkout, a tool reading its config)
// counts as running the checkout.
func inertScript(s *workflow.Step) bool {
	if s.Shell != nil && s.Shell.Value != "bash" && s.Shell.Value != "sh" {
		return false
	}
	script := s.Run.Value
	if strings.Contains(script, "$(") || strings.Contains(script, "`") || strings.Contains(script, "<(") {
		return false
	}
	for _, cmd := range commandSplit.Split(script, -1) {
		cmd = strings.TrimSpace(cmd)
		if cmd == "" || strings.HasPrefix(cmd, "#") {
			continue
		}
		name, _, _ := strings.Cut(cmd, " ")
		if !inertCommands[name] {
			return false
		}
	}
	return true
}

var commandSplit = regexp.MustCompile(`\n|&&|\|\||;|\|`)

func relatedStep(f *workflow.File, s *workflow.Step, note string) Location {
	v := s.Run
	if v == nil {
		v = s.Uses
	}
	l := loc(f, v)
	l.Note = note
	return l
}
