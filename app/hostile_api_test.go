package app

import (
	"strings"
	"testing"
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
