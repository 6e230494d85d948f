package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

const extraWorkflow = `name: extra
on: [push]
permissions:
  contents: read
jobs:
  extra:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
`

func (h *harness) refresh() error {
	h.t.Helper()
	return h.worker.Run(ctxWithTestLogger(h.t), intake.Job{Kind: intake.JobRefreshPR, InstallationID: 1, Owner: h.repo.Owner, Repo: h.repo.Name})
}

func TestE2EClosedPRIsNotRecreated(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	gh := h.fake.Client()
	if _, _, err := gh.PullRequests.Edit(context.Background(), h.repo.Owner, h.repo.Name, 1, &github.PullRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	// A change that does not alter the set of fixes.
	h.repo.Commit("main", "docs", map[string]string{"README.md": "# hello, world\n"})
	if err := h.refresh(); err != nil {
		t.Fatal(err)
	}
	if prs := h.repo.PullRequests(); len(prs) != 1 || prs[0].State != "closed" {
		t.Fatalf("after an unrelated push: %+v, want the one closed PR", prs)
	}
	// New problems: a new PR, on the same branch name.
	h.repo.Commit("main", "add a workflow", map[string]string{".github/workflows/extra.yml": extraWorkflow})
	if err := h.refresh(); err != nil {
		t.Fatal(err)
	}
	prs := h.repo.PullRequests()
	if len(prs) != 2 || prs[1].State != "open" || prs[1].Head != HardeningBranch {
		t.Fatalf("after new findings: %+v, want a second, open PR", prs)
	}
	if got, _ := h.repo.File(HardeningBranch, ".github/workflows/extra.yml"); !pinnedRe.MatchString(got) {
		t.Errorf("extra.yml not pinned:\n%s", got)
	}
}

func TestE2EHumanCommitIsNotOverwritten(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	human := h.repo.Commit(HardeningBranch, "tweak", map[string]string{"NOTES.md": "mine\n"})
	h.repo.Commit("main", "add a workflow", map[string]string{".github/workflows/extra.yml": extraWorkflow})
	for range 2 {
		if err := h.refresh(); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.repo.BranchSHA(HardeningBranch); got != human {
		t.Fatalf("branch moved from the human commit to %s", got)
	}
	comments := h.repo.Comments(1)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, humanCommitsMarker) {
		t.Fatalf("comments = %+v, want one about human commits", comments)
	}
	if n := len(h.repo.PullRequests()); n != 1 {
		t.Errorf("pull requests = %d, want 1", n)
	}
}

func TestE2EOpenPRIsUpdatedWhenFixesChange(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	before := h.repo.PullRequests()[0].Body
	h.repo.Commit("main", "add a workflow", map[string]string{".github/workflows/extra.yml": extraWorkflow})
	if err := h.refresh(); err != nil {
		t.Fatal(err)
	}
	prs := h.repo.PullRequests()
	if len(prs) != 1 || prs[0].Body == before {
		t.Fatalf("PR not refreshed in place: %d PRs", len(prs))
	}
	if got, _ := h.repo.File(HardeningBranch, ".github/workflows/extra.yml"); !pinnedRe.MatchString(got) {
		t.Errorf("extra.yml not pinned:\n%s", got)
	}
	if main := h.repo.BranchSHA("main"); h.repo.Commits(HardeningBranch)[3].SHA != main {
		t.Error("refreshed branch is not three commits on top of the default branch head")
	}
}

func TestE2EReportModeOpensNoPR(t *testing.T) {
	files := workflowFiles()
	files[".github/hardener.yml"] = "mode: report\n"
	h := newHarness(t, files)
	h.install()
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Errorf("pull requests = %d, want 0 in report mode", n)
	}
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || runs[0].Conclusion != "neutral" || len(runs[0].Annotations) == 0 {
		t.Fatalf("check runs = %+v", runs)
	}
}

func TestE2EInvalidConfigFailsTheCheck(t *testing.T) {
	files := workflowFiles()
	files[".github/hardener.yml"] = "mode: pr\nfail-on: sometimes\n"
	h := newHarness(t, files)
	h.install()
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Errorf("pull requests = %d, want 0", n)
	}
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || runs[0].Conclusion != "failure" {
		t.Fatalf("check runs = %+v", runs)
	}
	if !strings.Contains(runs[0].Summary, "sometimes") || !strings.Contains(runs[0].Summary, "hardener.yml:2") {
		t.Errorf("summary does not quote the error:\n%s", runs[0].Summary)
	}
	if len(runs[0].Annotations) != 1 || runs[0].Annotations[0]["start_line"] != float64(2) {
		t.Errorf("annotations = %v, want one at line 2", runs[0].Annotations)
	}
}

func TestE2EInvalidOrgConfigFailsTheCheck(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.fake.AddRepo(h.repo.Owner, ".github", map[string]string{".github/hardener.yml": "repositories: {opt-in: [a], unknown: 1}\n"})
	h.install()
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || runs[0].Conclusion != "failure" || !strings.Contains(runs[0].Summary, "unknown") {
		t.Fatalf("check runs = %+v", runs)
	}
}

func TestE2EOrgOptOutClosesThePR(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	h.fake.AddRepo(h.repo.Owner, ".github", map[string]string{".github/hardener.yml": "repositories: {opt-out: [hello]}\n"})
	h.worker.forgetOrg(h.repo.Owner)
	if err := h.refresh(); err != nil {
		t.Fatal(err)
	}
	prs := h.repo.PullRequests()
	if len(prs) != 1 || prs[0].State != "closed" {
		t.Fatalf("pull requests = %+v, want the PR closed", prs)
	}
	if h.repo.BranchSHA(HardeningBranch) != "" {
		t.Error("branch not deleted")
	}
	if c := h.repo.Comments(1); len(c) != 1 {
		t.Errorf("comments = %d, want 1", len(c))
	}
}

func TestE2ERateLimitIsRetried(t *testing.T) {
	h := newHarness(t, workflowFiles())
	// The first write of the pull request: the branch and its first commit.
	h.fake.FailNext("graphql", 1, 403, map[string]string{"Retry-After": "60"},
		`{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	h.deliver("installation", "rl-1", h.payload("installation", "created", nil))
	jobs := h.queue.take()
	err := h.worker.Run(ctxWithTestLogger(t), jobs[0])
	var re *intake.RetryError
	if !errors.As(err, &re) || re.After != time.Minute {
		t.Fatalf("err = %v, want a *intake.RetryError after Retry-After (1m)", err)
	}
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Fatalf("pull requests = %d before the retry", n)
	}
	// The queue runs the job again later, with a new installation client
	// (as Clients hands out per job).
	h.worker.clients = staticClients{h.fake.Client()}
	if err := h.worker.Run(ctxWithTestLogger(t), jobs[0]); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(h.repo.PullRequests()); n != 1 {
		t.Errorf("pull requests = %d after the retry, want 1", n)
	}
	if n := len(h.repo.CheckRuns()); n != 1 {
		t.Errorf("check runs = %d after the retry, want 1", n)
	}
}

func TestE2EWorkflowsPermissionRefused(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.fake.SetEnforceWorkflowsPermission(true)
	tok := h.fake.IssueToken(1, map[string]string{"metadata": "read", "contents": "write", "pull_requests": "write",
		"checks": "write", "issues": "write", "actions": "read"})
	h.worker.clients = staticClients{h.fake.ClientWithToken(tok)}
	h.install()
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Errorf("pull requests = %d, want 0", n)
	}
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || !strings.Contains(runs[0].Summary, "workflows: write") {
		t.Fatalf("summary does not explain the missing permission: %+v", runs)
	}
}

func TestE2EArchivedAndEmptyAreSkipped(t *testing.T) {
	for name, opt := range map[string]githubfake.RepoOption{"archived": githubfake.Archived(), "empty": githubfake.Empty()} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, workflowFiles(), opt)
			h.install()
			if len(h.repo.CheckRuns())+len(h.repo.PullRequests()) != 0 {
				t.Error("skipped repository got a check run or PR")
			}
		})
	}
}
