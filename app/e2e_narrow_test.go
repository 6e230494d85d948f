package app

import (
	"context"
	"testing"

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
	clients, err := NewClients(1, testKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetWriteRate(0)
	w := NewWorker(clients, nil, WorkerOptions{})
	ctx := context.Background()
	job := Job{Kind: JobCheck, InstallationID: 1, Owner: "octo-org", Repo: "hello", RepoID: r.ID,
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
	if err := w.Run(ctx, Job{Kind: JobInstall, InstallationID: 1, Owner: "octo-org", Repo: "hello", RepoID: r.ID}); err != nil {
		t.Fatal(err)
	}
	tokens = f.Tokens()
	if len(tokens) != 2 || tokens[1].Permissions["contents"] != "write" {
		t.Fatalf("install token = %+v, want the installation's full token", tokens[len(tokens)-1])
	}
}
