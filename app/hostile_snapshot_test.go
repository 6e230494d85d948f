package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

// pwnRequest is a privileged workflow that runs a fork's code: an
// untrusted checkout, high severity, which fails a pull request's check.
const pwnRequest = `name: evil
on: pull_request_target
permissions:
  contents: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make
`

// hidingAttributes leaves itself and the new workflow out of `git archive`,
// so a tarball of the pull request's head shows neither.
const hidingAttributes = ".gitattributes export-ignore\n.github/workflows/evil.yml export-ignore\n"

// openPR commits files on a new branch, delivers pull_request.opened for it
// and runs the jobs; it returns the `hardener` run on the head.
func (h *harness) openPR(number int, branch string, files map[string]string) githubfake.CheckRun {
	h.t.Helper()
	base := h.repo.BranchSHA("main")
	h.repo.Branch(branch, "main")
	head := h.repo.Commit(branch, "change", files)
	if code := h.deliver("pull_request", fmt.Sprintf("pr-%s-%d", branch, number), h.prPayload(number, branch, head, base)); code != http.StatusAccepted {
		h.t.Fatalf("pull_request: status %d", code)
	}
	for _, err := range h.runJobs() {
		h.t.Fatalf("job: %v", err)
	}
	return h.runOn(head)
}

// runOn returns the newest `hardener` run on sha.
func (h *harness) runOn(sha string) githubfake.CheckRun {
	h.t.Helper()
	var found *githubfake.CheckRun
	for _, r := range h.repo.CheckRuns() {
		if r.HeadSHA == sha && r.Name == CheckName {
			found = &r
		}
	}
	if found == nil {
		h.t.Fatalf("no %s check run on %s", CheckName, sha)
	}
	return *found
}

// A pull request hides a new pull_request_target workflow from the tarball
// with a .gitattributes that export-ignores itself too: the archive looks
// like any other, and only the git tree shows the workflow. The check must
// see it and fail.
func TestHostileGitattributesHidesWorkflow(t *testing.T) {
	h := newHarness(t, workflowFiles())
	run := h.openPR(1, "hide", map[string]string{".gitattributes": hidingAttributes, ".github/workflows/evil.yml": pwnRequest})
	if run.Conclusion != "failure" {
		t.Fatalf("conclusion = %q, want failure: the hidden workflow was not seen\n%s", run.Conclusion, run.Summary)
	}
	if !strings.Contains(run.Summary, "untrusted-checkout") {
		t.Errorf("summary does not count the hidden workflow's finding:\n%s", run.Summary)
	}
}

// The same attack on a repository so large that GitHub truncates the
// recursive tree: the App reads .github/ and the other scanned places
// from their own trees and still sees the workflow.
func TestHostileGitattributesHidesWorkflowInTruncatedTree(t *testing.T) {
	files := workflowFiles()
	// Entries sort before .github/, so the truncated tree ends before it.
	for i := range 40 {
		files[fmt.Sprintf(".assets/file%02d.txt", i)] = "x\n"
	}
	h := newHarnessWith(t, []githubfake.Option{githubfake.TreeEntryLimit(20)}, files)
	run := h.openPR(1, "hide", map[string]string{".gitattributes": hidingAttributes, ".github/workflows/evil.yml": pwnRequest})
	if run.Conclusion != "failure" || !strings.Contains(run.Summary, "untrusted-checkout") {
		t.Fatalf("conclusion = %q, want failure from the hidden workflow\n%s", run.Conclusion, run.Summary)
	}
}

// Hiding more workflows than the App reads one by one does not make the
// check pass: what it could not read fails the pull request.
func TestHostileTooManyHiddenWorkflows(t *testing.T) {
	h := newHarness(t, workflowFiles())
	files := map[string]string{".gitattributes": ".gitattributes export-ignore\n/.github/workflows/h*.yml export-ignore\n"}
	for i := range 300 {
		files[fmt.Sprintf(".github/workflows/h%03d.yml", i)] = fmt.Sprintf("name: h%d\non: push\npermissions: {}\njobs: {}\n", i)
	}
	files[".github/workflows/hzz.yml"] = pwnRequest
	run := h.openPR(1, "flood", files)
	if run.Conclusion != "failure" || !strings.Contains(run.Summary, "cannot be checked") {
		t.Fatalf("conclusion = %q, want failure for the files not read\n%s", run.Conclusion, run.Summary)
	}
}

// A pull request whose archive the App refuses (a file name longer than a
// checkout allows) gets a failing check that says why, not no check.
func TestHostileRefusedArchiveFailsTheCheck(t *testing.T) {
	h := newHarness(t, workflowFiles())
	run := h.openPR(1, "long", map[string]string{strings.Repeat("n", 300) + ".txt": "x\n"})
	if run.Conclusion != "failure" || !strings.Contains(run.Summary, "longer than 255 bytes") {
		t.Fatalf("run = %s\n%s", run.Conclusion, run.Summary)
	}
}
