package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/intake"
)

// prPayload is the reference pull_request payload, opened, for head
// branch onto main.
func (h *harness) prPayload(number int, branch, headSHA, baseSHA string) []byte {
	return h.payload("pull_request", "closed", func(m map[string]any) {
		m["action"], m["number"] = "opened", number
		pr := m["pull_request"].(map[string]any)
		pr["number"], pr["state"] = number, "open"
		repo := m["repository"]
		for side, v := range map[string][2]string{"head": {branch, headSHA}, "base": {"main", baseSHA}} {
			s := pr[side].(map[string]any)
			s["ref"], s["sha"], s["repo"] = v[0], v[1], repo
		}
	})
}

func TestE2EPullRequestCheckJudgesIntroducedFindings(t *testing.T) {
	files := workflowFiles()
	files[".github/hardener.yml"] = "fail-on: medium\n"
	h := newHarness(t, files)
	base := h.repo.BranchSHA("main")
	cases := map[string]struct {
		files      map[string]string
		conclusion string
	}{
		// A new unpinned action (medium for a tag) fails at fail-on: medium.
		"introduces": {map[string]string{".github/workflows/extra.yml": extraWorkflow}, "failure"},
		// Moving existing lines does not introduce anything.
		"moves lines": {map[string]string{".github/workflows/ci.yml": "# a comment on top\n" + workflowFiles()[".github/workflows/ci.yml"]}, "success"},
	}
	n := 0
	for name, tc := range cases {
		n++
		branch := fmt.Sprintf("feature-%d", n)
		h.repo.Branch(branch, "main")
		head := h.repo.Commit(branch, name, tc.files)
		if code := h.deliver("pull_request", "pr-"+branch, h.prPayload(n, branch, head, base)); code != http.StatusAccepted {
			t.Fatalf("%s: status %d", name, code)
		}
		for _, err := range h.runJobs() {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, r := range h.repo.CheckRuns() {
			if r.HeadSHA == head {
				got = append(got, r.Conclusion)
				notices, failures, warnings := 0, 0, 0
				for _, a := range r.Annotations {
					switch a["annotation_level"] {
					case "notice":
						notices++
					case "failure":
						failures++
					case "warning":
						warnings++
					}
				}
				if notices == 0 {
					t.Errorf("%s: pre-existing findings are not listed as notices", name)
				}
				if tc.conclusion == "failure" && (failures+warnings != 1 || !strings.Contains(r.Summary, "introduces 1 finding")) {
					t.Errorf("%s: failures=%d summary:\n%s", name, failures, r.Summary)
				}
			}
		}
		if len(got) != 1 || got[0] != tc.conclusion {
			t.Errorf("%s: conclusions %v, want [%s]", name, got, tc.conclusion)
		}
	}
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Errorf("a PR check opened %d pull requests", n)
	}
}

func TestE2EManyAnnotationsAreBatched(t *testing.T) {
	files := workflowFiles()
	var b strings.Builder
	b.WriteString("name: big\non: [push]\npermissions:\n  contents: read\njobs:\n  big:\n    runs-on: ubuntu-latest\n    steps:\n")
	for range 60 {
		b.WriteString("      - uses: actions/checkout@v4\n")
	}
	files[".github/workflows/big.yml"] = b.String()
	files[".github/hardener.yml"] = "mode: report\n"
	h := newHarness(t, files)
	h.install()
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || len(runs[0].Annotations) < 70 {
		t.Fatalf("annotations = %d, want every finding", len(runs[0].Annotations))
	}
	// Created completed with the first 50, the rest in updates.
	if c, u := h.fake.Count("checks/create"), h.fake.Count("checks/update"); c != 1 || c+u != (len(runs[0].Annotations)+49)/50 {
		t.Errorf("check run created %d times and updated %d times for %d annotations, want batches of 50", c, u, len(runs[0].Annotations))
	}
}

func TestTruncateSummary(t *testing.T) {
	long := strings.Repeat("é", maxSummaryChars+10)
	got := truncateSummary(long, maxSummaryChars)
	if n := len([]rune(got)); n > maxSummaryChars || !strings.Contains(got, "summary truncated") {
		t.Errorf("truncated to %d characters", n)
	}
	if truncateSummary("short", maxSummaryChars) != "short" {
		t.Error("short summary changed")
	}
}

func TestE2ECheckSuiteAndRequestedAction(t *testing.T) {
	h := newHarness(t, workflowFiles())
	head := h.repo.BranchSHA("main")
	body := h.payload("check_suite", "requested", func(m map[string]any) {
		cs := m["check_suite"].(map[string]any)
		cs["head_sha"], cs["head_branch"], cs["pull_requests"] = head, "main", []any{}
	})
	if code := h.deliver("check_suite", "cs-1", body); code != http.StatusAccepted {
		t.Fatalf("check_suite: %d", code)
	}
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || runs[0].HeadSHA != head || runs[0].Conclusion != "neutral" {
		t.Fatalf("check runs = %+v", runs)
	}
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Fatalf("a check suite opened %d PRs", n)
	}
	// "Open hardening PR" on that run.
	body = h.payload("check_run", "requested_action", func(m map[string]any) {
		cr := m["check_run"].(map[string]any)
		cr["id"], cr["head_sha"] = runs[0].ID, head
		m["requested_action"] = map[string]any{"identifier": intake.ActionOpenHardeningPR}
	})
	if code := h.deliver("check_run", "cr-1", body); code != http.StatusAccepted {
		t.Fatalf("check_run: %d", code)
	}
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	if n := len(h.repo.PullRequests()); n != 1 {
		t.Errorf("requested action opened %d PRs, want 1", n)
	}
	if n := len(h.repo.CheckRuns()); n != 1 {
		t.Errorf("requested action made %d check runs, want still 1", n)
	}
}

func TestE2EUninstallClosesThePR(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	if code := h.deliver("installation", "del-1", h.payload("installation", "deleted", nil)); code != http.StatusAccepted {
		t.Fatalf("installation.deleted: %d", code)
	}
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	prs := h.repo.PullRequests()
	if len(prs) != 1 || prs[0].State != "closed" || h.repo.BranchSHA(HardeningBranch) != "" {
		t.Fatalf("after uninstall: %+v, branch %q", prs, h.repo.BranchSHA(HardeningBranch))
	}
	if c := h.repo.Comments(prs[0].Number); len(c) != 1 || !strings.Contains(c[0].Body, closedMarker) {
		t.Errorf("comments = %+v", c)
	}
}

const injectable = `name: greet
on: [pull_request_target]
permissions:
  contents: read
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
`

func TestE2EExploitableFindingsGoToAnAdvisory(t *testing.T) {
	files := workflowFiles()
	files[".github/workflows/greet.yml"] = injectable
	h := newHarness(t, files)
	h.install()
	h.install() // the same event again: still one advisory
	adv := h.repo.Advisories()
	if len(adv) != 1 || !strings.Contains(string(adv[0]), "greet.yml") || !strings.Contains(string(adv[0]), "hardener:advisory=") {
		t.Fatalf("advisories = %s", adv)
	}
	run := h.repo.CheckRuns()[0]
	for _, a := range run.Annotations {
		if a["path"] == ".github/workflows/greet.yml" && strings.HasPrefix(fmt.Sprint(a["title"]), "template-injection") {
			t.Errorf("exploitable finding annotated in public: %v", a)
		}
	}
	if !strings.Contains(run.Summary, "exploitable finding") || strings.Contains(run.Summary, "pull_request.title") {
		t.Errorf("summary:\n%s", run.Summary)
	}
	if strings.Contains(h.repo.PullRequests()[0].Body, "pull_request.title") {
		t.Error("PR body spells out the exploitable finding")
	}
}
