package checks

import (
	"strings"

	"github.com/hardener/hardener/internal/workflow"
)

// attackerText are the `github` context paths whose text anyone who can
// open an issue, comment, push a branch to a fork or name a commit
// chooses freely (`*` stands for one path element, an index). A path that
// contains one of them (`github.event.issue`, `github.event`, `github`)
// carries it too when serialised.
var attackerText = splitPaths(
	"github.head_ref",
	"github.event.issue.title", "github.event.issue.body",
	"github.event.pull_request.title", "github.event.pull_request.body",
	"github.event.pull_request.head.ref", "github.event.pull_request.head.label",
	"github.event.pull_request.head.repo.default_branch", "github.event.pull_request.head.repo.description",
	"github.event.pull_request.head.repo.homepage",
	"github.event.comment.body", "github.event.review.body",
	"github.event.discussion.title", "github.event.discussion.body",
	"github.event.pages.*.page_name", "github.event.pages.*.title",
	"github.event.commits.*.message", "github.event.commits.*.author.name", "github.event.commits.*.author.email",
	"github.event.commits.*.committer.name", "github.event.commits.*.committer.email",
	"github.event.head_commit.message", "github.event.head_commit.author.name", "github.event.head_commit.author.email",
	"github.event.head_commit.committer.name", "github.event.head_commit.committer.email",
	"github.event.workflow_run.head_branch", "github.event.workflow_run.display_title",
	"github.event.workflow_run.head_commit.message", "github.event.workflow_run.head_commit.author.name",
	"github.event.workflow_run.head_commit.author.email", "github.event.workflow_run.head_commit.committer.name",
	"github.event.workflow_run.head_commit.committer.email", "github.event.workflow_run.head_repository.description",
	"github.event.workflow_run.pull_requests.*.head.ref",
	"github.event.check_suite.head_branch", "github.event.check_run.check_suite.head_branch",
	"github.event.merge_group.head_commit.message", "github.event.merge_group.head_commit.author.name",
	"github.event.merge_group.head_commit.author.email",
	"github.event.changes.title.from", "github.event.changes.body.from", "github.event.changes.head.ref.from",
)

// payloadKeys says which events carry each top-level key of
// `github.event` (and `github.head_ref`). A key none of a workflow's
// triggers carries is empty there, whatever it names.
var payloadKeys = map[string][]string{
	"issue":        {"issues", "issue_comment"},
	"comment":      {"issue_comment", "pull_request_review_comment", "discussion_comment", "commit_comment"},
	"pull_request": {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"},
	"review":       {"pull_request_review"},
	"discussion":   {"discussion", "discussion_comment"},
	"pages":        {"gollum"},
	"commits":      {"push"},
	"head_commit":  {"push"},
	"workflow_run": {"workflow_run"},
	"check_suite":  {"check_suite"},
	"check_run":    {"check_run"},
	"merge_group":  {"merge_group"},
	"changes":      {"issues", "pull_request", "pull_request_target", "discussion", "issue_comment"},
	"head_ref":     {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"},
	// What actions report about a pull request (outputs.yml).
	"pull-request-outputs": {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
		"issue_comment", "workflow_run"},
}

// unprivileged events run a fork's pull request with a read-only token,
// no secrets and the pull request's own workflow files: text injected
// there runs where the author's code runs anyway.
var unprivileged = map[string]bool{"pull_request": true, "pull_request_review": true, "pull_request_review_comment": true}

func splitPaths(ps ...string) [][]string {
	out := make([][]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Split(p, ".")
	}
	return out
}

// classifyGitHub returns the attacker-controlled source a `github.…` path
// reads ("" when it reads none: numbers, SHAs, names GitHub restricts,
// values only people with write access choose) and its severity: high
// when a trigger runs the workflow with the base repository's token and
// secrets, medium when only pull_request events carry it. w may be nil (an
// action, whose events are its callers').
func classifyGitHub(path string, w *workflow.Workflow) (string, Severity) {
	segs := strings.Split(path, ".")
	for _, pat := range attackerText {
		n := min(len(segs), len(pat))
		match := true
		for i := 0; i < n; i++ {
			if segs[i] != pat[i] && segs[i] != "*" && pat[i] != "*" {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		key := pat[1]
		if pat[1] == "event" {
			key = pat[2]
		}
		if ok, sev := carried(key, w); ok {
			return strings.Join(pat, "."), sev
		}
	}
	return "", 0
}

// carried reports whether one of the workflow's triggers fills a payload
// key, and how severe text from it is. A reusable workflow runs on its
// caller's event, so it may carry anything.
func carried(key string, w *workflow.Workflow) (bool, Severity) {
	if w == nil || w.Has("workflow_call") || len(w.On) == 0 {
		return true, High
	}
	events, known := payloadKeys[key]
	ok, sev := false, Severity(0)
	for _, t := range w.On {
		if known && !contains(events, t.Name) {
			continue
		}
		ok = true
		if unprivileged[t.Name] {
			sev = max(sev, Medium)
		} else {
			sev = High
		}
	}
	return ok, sev
}
