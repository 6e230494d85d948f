package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/githubfake"
)

// The hardening PR is labelled with the documented body, {"labels": [...]};
// the fake refuses go-github's bare array, as the API description allows
// it to.
func TestHostileLabelsBody(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	prs := h.repo.PullRequests()
	if len(prs) != 1 || len(prs[0].Labels) != 1 || prs[0].Labels[0] != PRLabel {
		t.Fatalf("pull requests = %+v, want one labelled %q", prs, PRLabel)
	}
	for _, r := range h.fake.Requests() {
		if r.OperationID == "issues/add-labels" && r.Status != 200 {
			t.Errorf("add-labels answered %d", r.Status)
		}
	}
}

// `mode: report` writes nothing but check runs: no pull request, no
// setting, no draft advisory, on install and on check suites of the
// default branch alike.
func TestHostileReportModeWritesOnlyCheckRuns(t *testing.T) {
	files := workflowFiles()
	files[".github/workflows/greet.yml"] = injectable
	files[".github/hardener.yml"] = "mode: report\n"
	h := newHarness(t, files)
	h.install()
	head := h.repo.BranchSHA("main")
	body := h.payload("check_suite", "requested", func(m map[string]any) {
		cs := m["check_suite"].(map[string]any)
		cs["head_sha"], cs["head_branch"], cs["pull_requests"] = head, "main", []any{}
	})
	h.deliver("check_suite", "cs-report", body)
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	for _, r := range h.fake.Requests() {
		if r.Write && !strings.HasPrefix(r.OperationID, "checks/") {
			t.Errorf("report mode wrote: %s %s (%s)", r.Method, r.Path, r.OperationID)
		}
	}
	if n := len(h.repo.Advisories()); n != 0 {
		t.Errorf("advisories = %d, want 0", n)
	}
	if runs := h.repo.CheckRuns(); len(runs) == 0 {
		t.Error("no check run")
	}
}

// The App's comment is found past the first page of a busy pull request,
// so it is not posted again.
func TestHostileCommentsPaginated(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	h.repo.Commit(HardeningBranch, "tweak", map[string]string{"NOTES.md": "mine\n"})
	gh := h.fake.Client()
	for i := range 120 {
		if _, _, err := gh.Issues.CreateComment(context.Background(), h.repo.Owner, h.repo.Name, 1,
			&github.IssueComment{Body: github.String(fmt.Sprintf("comment %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	h.repo.Commit("main", "add a workflow", map[string]string{".github/workflows/extra.yml": extraWorkflow})
	for range 2 {
		if err := h.refresh(); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, c := range h.repo.Comments(1) {
		if strings.Contains(c.Body, humanCommitsMarker) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the App commented %d times, want once", n)
	}
}

// The App's draft advisory is found among more than a page of drafts, so
// a second run does not open another.
func TestHostileAdvisoriesPaginated(t *testing.T) {
	files := workflowFiles()
	files[".github/workflows/greet.yml"] = injectable
	h := newHarness(t, files)
	gh := h.fake.Client()
	for i := range 100 {
		req, _ := gh.NewRequest("POST", fmt.Sprintf("repos/%s/%s/security-advisories", h.repo.Owner, h.repo.Name), map[string]any{
			"summary": fmt.Sprintf("other %d", i), "description": "another draft", "severity": "low",
			"vulnerabilities": []any{map[string]any{"package": map[string]any{"ecosystem": "actions", "name": "x/y"}}}})
		if _, err := gh.Do(context.Background(), req, nil); err != nil {
			t.Fatal(err)
		}
	}
	h.install()
	h.install()
	if n := len(h.repo.Advisories()); n != 101 {
		t.Errorf("advisories = %d, want the 100 others and one of the App's", n)
	}
}

// Branch names go into API paths: one with '#' (legal in git) must not cut
// the path short and make the App read another branch's protection (and
// re-apply its ruleset on every run).
func TestHostileBranchNameInPath(t *testing.T) {
	const branch = "hot#fix/v1%2e"
	h := newHarness(t, workflowFiles(), githubfake.DefaultBranch(branch), githubfake.PrivateVulnerabilityReporting(true))
	h.repo.Commit(branch, "Configure Hardener", map[string]string{".github/hardener.yml": "remediations: {branch-protection: true}\nbranch-protection: {block-force-pushes: true}\n"})
	h.install()
	if _, ok := h.rulesets()["hardener"]; !ok {
		t.Fatal("no ruleset created")
	}
	h.fake.ResetCounts()
	h.rescan()
	if w := h.writes(); len(w) != 0 {
		t.Errorf("a rescan with nothing new wrote %v: the App read another branch's rules", w)
	}
	for _, r := range h.fake.Requests() {
		if r.OperationID == "repos/get-branch-rules" {
			if got, _ := url.PathUnescape(strings.TrimPrefix(r.Path, "/repos/octo-org/hello/rules/branches/")); got != branch {
				t.Errorf("rules requested for %q, want %q", got, branch)
			}
		}
	}
}
