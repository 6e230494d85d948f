package app

import (
	"context"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// TestPullRequestCheckUsesANarrowToken runs a pull-request check with the
// real installation clients: the token it asks for can write check runs
// and read contents, nothing else, while the install job's token is the
// installation's full one.
func TestPullRequestCheckUsesANarrowToken(t *testing.T) {
	f := githubfake.New(t)
	r := f.AddRepo("octo-org", "hello", workflowFiles())
	base := r.BranchSHA("main")
	r.Branch("feature", "main")
	head := r.Commit("feature", "change", map[string]string{"README.md": "# changed\n"})
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetWriteRate(0)
	w := NewWorker(clients, nil, WorkerOptions{})
	ctx := context.Background()
	job := intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "octo-org", Repo: "hello", RepoID: r.ID,
		HeadSHA: head, HeadBranch: "feature", PR: 1, BaseSHA: base}
	if err := w.Run(ctx, job); err != nil {
		t.Fatal(err)
	}
	tokens := f.Tokens()
	if len(tokens) != 1 {
		t.Fatalf("tokens = %+v, want 1", tokens)
	}
	want := map[string]string{"checks": "write", "contents": "read", "metadata": "read"}
	if len(tokens[0].Permissions) != len(want) {
		t.Fatalf("PR check token permissions = %v, want %v", tokens[0].Permissions, want)
	}
	for k, v := range want {
		if tokens[0].Permissions[k] != v {
			t.Errorf("PR check token %s = %q, want %q", k, tokens[0].Permissions[k], v)
		}
	}
	found := false
	for _, cr := range r.CheckRuns() {
		found = found || cr.HeadSHA == head && cr.Status == "completed"
	}
	if !found {
		t.Fatal("no completed check run on the PR head")
	}
	if err := w.Run(ctx, intake.Job{Kind: intake.JobInstall, InstallationID: 1, Owner: "octo-org", Repo: "hello", RepoID: r.ID}); err != nil {
		t.Fatal(err)
	}
	tokens = f.Tokens()
	if len(tokens) != 2 || tokens[1].Permissions["contents"] != "write" {
		t.Fatalf("install token = %+v, want the installation's full token", tokens[len(tokens)-1])
	}
}

// TestSettingsSkippedWithoutAdministration: an installation registered
// without `administration: write` (the default manifest) makes no private
// vulnerability reporting request that GitHub would refuse, and the check
// run says what is missing.
func TestSettingsSkippedWithoutAdministration(t *testing.T) {
	f := githubfake.New(t)
	f.AddInstallation(githubfake.Installation{ID: 2, Account: "octo-org", AccountType: "Organization", Permissions: map[string]string{
		"actions": "read", "checks": "write", "contents": "write", "issues": "write", "metadata": "read",
		"pull_requests": "write", "repository_advisories": "write", "workflows": "write",
	}})
	r := f.AddRepo("octo-org", "hello", workflowFiles())
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetWriteRate(0)
	w := NewWorker(clients, nil, WorkerOptions{})
	if err := w.Run(context.Background(), intake.Job{Kind: intake.JobInstall, InstallationID: 2, Owner: "octo-org", Repo: "hello", RepoID: r.ID}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"repos/check-private-vulnerability-reporting", "repos/enable-private-vulnerability-reporting"} {
		if n := f.Count(op); n != 0 {
			t.Errorf("%s called %d times without administration permission", op, n)
		}
	}
	runs := r.CheckRuns()
	if len(runs) != 1 || !strings.Contains(runs[0].Summary, "administration") {
		t.Fatalf("the check run does not say what is missing: %+v", runs)
	}
}
