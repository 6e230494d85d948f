package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/intake"
)

var pinnedRe = regexp.MustCompile(`uses: actions/checkout@[0-9a-f]{40} # v4\.2\.2`)

func TestE2EInstallOpensCheckRunAndPR(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()

	runs := h.repo.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("check runs = %d, want 1", len(runs))
	}
	run := runs[0]
	head := h.repo.BranchSHA("main")
	if run.Name != CheckName || run.HeadSHA != head || run.Status != "completed" || run.Conclusion != "neutral" {
		t.Fatalf("check run = %+v", run)
	}
	if len(run.Actions) != 1 || run.Actions[0]["identifier"] != intake.ActionOpenHardeningPR {
		t.Errorf("actions = %v", run.Actions)
	}
	// actions/checkout@v4 is on line 9 of every workflow, at column 15.
	found := false
	for _, a := range run.Annotations {
		if a["path"] == ".github/workflows/ci.yml" && fmt.Sprint(a["start_line"]) == "9" && strings.HasPrefix(fmt.Sprint(a["title"]), "unpinned-uses") {
			found = true
			if want := map[string]string{"high": "failure", "medium": "warning", "low": "notice"}[strings.TrimSuffix(strings.SplitN(fmt.Sprint(a["title"]), "(", 2)[1], ")")]; a["annotation_level"] != want {
				t.Errorf("unpinned-uses level = %v, want %s", a["annotation_level"], want)
			}
		}
	}
	if !found {
		t.Errorf("no unpinned-uses annotation at ci.yml:9; annotations: %v", run.Annotations)
	}
	if !strings.Contains(run.Summary, "unpinned-uses") || !strings.Contains(run.Summary, "Opened the hardening pull request") {
		t.Errorf("summary:\n%s", run.Summary)
	}

	prs := h.repo.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("pull requests = %d, want 1", len(prs))
	}
	pr := prs[0]
	if pr.Title != PRTitle || pr.Head != HardeningBranch || pr.Base != "main" || pr.State != "open" {
		t.Fatalf("pr = %+v", pr)
	}
	if !strings.Contains(pr.Body, "<!-- hardener:fixes=") {
		t.Errorf("body has no fix hash:\n%s", pr.Body)
	}
	if len(pr.Labels) != 1 || pr.Labels[0] != PRLabel {
		t.Errorf("labels = %v", pr.Labels)
	}
	commits := h.repo.Commits(HardeningBranch)
	var mine []string
	for _, c := range commits {
		if c.SHA == head {
			break
		}
		if !c.Verified || c.AuthorGiven || c.CommitterGiven {
			t.Errorf("commit %s: verified=%v author given=%v committer given=%v", c.SHA[:7], c.Verified, c.AuthorGiven, c.CommitterGiven)
		}
		mine = append(mine, strings.SplitN(c.Message, "\n", 2)[0])
	}
	if len(mine) < 2 {
		t.Fatalf("commits on the branch: %v, want one per remediation", mine)
	}
	t.Logf("commits: %q", mine)
	for _, name := range []string{"ci", "lint", "release", "docs", "nightly"} {
		got, _ := h.repo.File(HardeningBranch, ".github/workflows/"+name+".yml")
		if !pinnedRe.MatchString(got) {
			t.Errorf("%s.yml not pinned:\n%s", name, got)
		}
	}
	if _, ok := h.repo.File(HardeningBranch, "SECURITY.md"); !ok {
		t.Error("SECURITY.md not added")
	}
	if _, ok := h.repo.File(HardeningBranch, ".github/dependabot.yml"); !ok {
		t.Error("dependabot.yml not added")
	}
	if got, _ := h.repo.File(HardeningBranch, "README.md"); got != "# hello\n" {
		t.Errorf("README.md changed: %q", got)
	}

	repoN, orgN, ops := h.repoRequests()
	t.Logf("install: %d requests to the repository + %d to the org's .github (%d remediation commits): %v", repoN, orgN, len(mine), ops)
	// +2: private vulnerability reporting is checked, then enabled (security-policy in App mode).
	if limit := 15 + 2*len(mine); repoN+orgN > limit {
		t.Errorf("install made %d requests, want at most %d", repoN+orgN, limit)
	}
	// Content-creating requests are what GitHub's secondary limit counts:
	// one signed commit per remediation (the branch and the pull request
	// ride in those GraphQL documents), the label, private vulnerability
	// reporting and the completed check run.
	writes := 0
	for _, r := range h.fake.Requests() {
		if r.Write {
			writes++
		}
	}
	if limit := 3 + len(mine); writes > limit {
		t.Errorf("install made %d content-creating requests, want at most %d (%d remediation commits)", writes, limit, len(mine))
	}

	// A redelivery (same delivery ID) and the same event again (new ID)
	// change nothing.
	h.fake.ResetCounts()
	if code := h.deliver("installation", "install-1", h.payload("installation", "created", nil)); code != 200 {
		t.Errorf("redelivery status %d, want 200", code)
	}
	h.install()
	if n := len(h.repo.CheckRuns()); n != 1 {
		t.Errorf("check runs after redelivery = %d, want 1", n)
	}
	if n := len(h.repo.CheckRuns()[0].Annotations); n != len(run.Annotations) {
		t.Errorf("annotations after redelivery = %d, want %d", n, len(run.Annotations))
	}
	if n := len(h.repo.PullRequests()); n != 1 {
		t.Errorf("pull requests after redelivery = %d, want 1", n)
	}
	if n := len(h.repo.Comments(pr.Number)); n != 0 {
		t.Errorf("comments = %d, want 0", n)
	}
	if got := h.repo.Commits(HardeningBranch)[0].SHA; got != commits[0].SHA {
		t.Errorf("branch moved on redelivery")
	}
	for _, r := range h.fake.Requests() {
		if r.Write {
			t.Errorf("redelivery wrote: %s %s", r.Method, r.Path)
		}
	}
	repoN, orgN, ops = h.repoRequests()
	t.Logf("same event again: %d requests to the repository + %d to the org's .github: %v", repoN, orgN, ops)
}

func TestE2ERescanUnchangedIsCheap(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	h.fake.ResetCounts()
	h.worker.orgCfg = map[string]orgEntry{} // a later rescan, cache gone
	if err := h.worker.Run(ctxWithTestLogger(t), intake.Job{Kind: intake.JobRescan, InstallationID: 1, Owner: h.repo.Owner, Repo: h.repo.Name}); err != nil {
		t.Fatal(err)
	}
	repoN, orgN, ops := h.repoRequests()
	t.Logf("rescan: %d requests to the repository + %d to the org's .github: %v", repoN, orgN, ops)
	// The repository, its tarball, its tree (what the tarball may hide),
	// the check run, the PR, the vulnerability-reporting setting.
	if repoN > 6 {
		t.Errorf("rescan made %d repository requests, want at most 6", repoN)
	}
	for _, r := range h.fake.Requests() {
		if r.Write {
			t.Errorf("rescan wrote: %s %s", r.Method, r.Path)
		}
	}
}
