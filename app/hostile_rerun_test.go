package app

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// narrowingClients records which jobs asked for the narrowed token of a
// pull-request check.
type narrowingClients struct {
	staticClients
	mu     sync.Mutex
	narrow int
}

func (c *narrowingClients) InstallationFor(ctx context.Context, id int64, repos []int64, perms *github.InstallationPermissions) (*github.Client, error) {
	c.mu.Lock()
	if perms != nil && perms.GetContents() == "read" && perms.GetChecks() == "write" && perms.PullRequests == nil {
		c.narrow++
	}
	c.mu.Unlock()
	return c.staticClients.InstallationFor(ctx, id, repos, perms)
}

// forkPR opens a pull request from a fork whose head adds files (a
// privileged workflow and a config that would switch the check off) and
// returns its number and head.
func (h *harness) forkPR(files map[string]string) (int, string) {
	h.t.Helper()
	head := h.repo.CommitDetached("main", "from a fork", files)
	return h.repo.OpenForkPR("mallory", "patch-1", head, "main", "evil"), head
}

// forkPayload is pull_request.opened for a fork's pull request.
func (h *harness) forkPayload(number int, head, base string) []byte {
	return h.payload("pull_request", "closed", func(m map[string]any) {
		m["action"], m["number"] = "opened", number
		pr := m["pull_request"].(map[string]any)
		pr["number"], pr["state"] = number, "open"
		repo := m["repository"]
		fork := map[string]any{"id": 999999, "name": h.repo.Name, "full_name": "mallory/" + h.repo.Name, "owner": map[string]any{"login": "mallory"}}
		for side, v := range map[string][3]any{"head": {"patch-1", head, fork}, "base": {"main", base, repo}} {
			s := pr[side].(map[string]any)
			s["ref"], s["sha"], s["repo"] = v[0], v[1], v[2]
		}
	})
}

// rerequest delivers check_run.rerequested for sha as GitHub sends it for a
// fork's pull request: no pull_requests.
func (h *harness) rerequest(sha string, runID int64) {
	h.t.Helper()
	body := h.payload("check_run", "requested_action", func(m map[string]any) {
		m["action"] = "rerequested"
		delete(m, "requested_action")
		cr := m["check_run"].(map[string]any)
		cr["id"], cr["head_sha"], cr["pull_requests"], cr["name"] = runID, sha, []any{}, CheckName
		cs := cr["check_suite"].(map[string]any)
		cs["head_sha"], cs["head_branch"], cs["pull_requests"] = sha, "patch-1", []any{}
	})
	if code := h.deliver("check_run", "rerun-"+sha[:7], body); code != http.StatusAccepted {
		h.t.Fatalf("check_run.rerequested: status %d", code)
	}
}

// forkFiles would pass the check if judged alone with its own config.
var forkFiles = map[string]string{
	".github/workflows/evil.yml": pwnRequest,
	".github/hardener.yml":       "fail-on: never\n",
}

// Re-running a fork pull request's failing check: GitHub sends
// check_run.rerequested without pull_requests. The App must judge the pull
// request again (found by its head), with the base's config and the
// narrowed token, and the failure must stand.
func TestHostileRerunForkPR(t *testing.T) {
	h := newHarness(t, workflowFiles())
	clients := &narrowingClients{staticClients: staticClients{h.fake.Client()}}
	h.worker.clients = clients
	base := h.repo.BranchSHA("main")
	n, head := h.forkPR(forkFiles)
	h.deliver("pull_request", "fork-opened", h.forkPayload(n, head, base))
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	first := h.runOn(head)
	if first.Conclusion != "failure" {
		t.Fatalf("the fork's pull request passed: %s\n%s", first.Conclusion, first.Summary)
	}
	clients.narrow = 0
	h.rerequest(head, first.ID)
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	for _, r := range h.repo.CheckRuns() {
		if r.HeadSHA == head && r.Conclusion != "failure" {
			t.Errorf("a re-run posted %q on the fork's head:\n%s", r.Conclusion, r.Summary)
		}
	}
	if clients.narrow == 0 {
		t.Error("the re-run did not use the narrowed pull-request token")
	}
}

// The same re-run when the App never saw the pull_request event (the
// delivery was lost): the pull request is found among the open ones.
func TestHostileRerunForkPRWithoutPriorRun(t *testing.T) {
	h := newHarness(t, workflowFiles())
	_, head := h.forkPR(forkFiles)
	h.rerequest(head, 1)
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	if run := h.runOn(head); run.Conclusion != "failure" {
		t.Fatalf("conclusion = %q, want the pull request judged (failure)\n%s", run.Conclusion, run.Summary)
	}
}

// A run judged as part of a pull request is never replaced by a result of
// the commit alone, even when the pull request can no longer be found.
func TestHostilePRJudgedRunNotSuperseded(t *testing.T) {
	h := newHarness(t, workflowFiles())
	base := h.repo.BranchSHA("main")
	n, head := h.forkPR(forkFiles)
	h.deliver("pull_request", "fork-opened", h.forkPayload(n, head, base))
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	closed := "closed"
	if _, _, err := h.fake.Client().PullRequests.Edit(context.Background(), h.repo.Owner, h.repo.Name, n, &github.PullRequest{State: &closed}); err != nil {
		t.Fatal(err)
	}
	h.rerequest(head, h.runOn(head).ID)
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	var got []string
	for _, r := range h.repo.CheckRuns() {
		if r.HeadSHA == head {
			got = append(got, r.Conclusion)
		}
	}
	if len(got) != 1 || got[0] != "failure" {
		t.Fatalf("runs on the head = %v, want the one failure", got)
	}
}
