package githubfake

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestAppIdentityAndForeignCheckRuns(t *testing.T) {
	t.Parallel()
	f := New(t)
	r := f.AddRepo("o", "r", map[string]string{"a": "b"})
	ctx := context.Background()
	gh := f.Client()
	app, _, err := gh.Apps.Get(ctx, "")
	if err != nil || app.GetID() != AppID || app.GetSlug() != AppSlug {
		t.Fatalf("GET /app = %+v, %v", app, err)
	}
	sha := r.BranchSHA("main")
	foreign := r.AddCheckRun("hardener", sha, 15368, "in_progress", "")
	mine, _, err := gh.Checks.CreateCheckRun(ctx, "o", "r", github.CreateCheckRunOptions{Name: "hardener", HeadSHA: sha})
	if err != nil || mine.GetApp().GetID() != AppID {
		t.Fatalf("create = %+v, %v", mine, err)
	}
	list, _, err := gh.Checks.ListCheckRunsForRef(ctx, "o", "r", sha, &github.ListCheckRunsOptions{AppID: github.Int64(AppID)})
	if err != nil || list.GetTotal() != 1 || list.CheckRuns[0].GetID() != mine.GetID() {
		t.Fatalf("runs of the App = %+v, %v", list, err)
	}
	_, _, err = gh.Checks.UpdateCheckRun(ctx, "o", "r", foreign, github.UpdateCheckRunOptions{Name: "hardener", Conclusion: github.String("success")})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 403 {
		t.Fatalf("updating another App's run: %v, want 403", err)
	}
}

func TestCommitAccountsAndForkPulls(t *testing.T) {
	t.Parallel()
	f := New(t)
	r := f.AddRepo("o", "r", map[string]string{"a": "b"})
	f.AddUser("mallory", "m@example.com")
	ctx := context.Background()
	gh := f.Client()
	r.Branch("topic", "main")
	sig := Signature{Name: "hardener[bot]", Email: "m@example.com"}
	signed := r.CommitSigned("topic", "mine", map[string]string{"c": "d"}, sig, sig)
	c, _, err := gh.Repositories.GetCommit(ctx, "o", "r", signed, nil)
	if err != nil || c.GetAuthor().GetLogin() != "mallory" || c.GetCommit().GetAuthor().GetName() != "hardener[bot]" || !c.GetCommit().GetVerification().GetVerified() {
		t.Fatalf("commit = %+v, %v", c, err)
	}
	pr, _, err := gh.PullRequests.Create(ctx, "o", "r", &github.NewPullRequest{Title: github.String("t"), Head: github.String("topic"), Base: github.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	forkHead := r.CommitDetached("main", "from a fork", map[string]string{"e": "f"})
	forkPR := r.OpenForkPR("mallory", "patch-1", forkHead, "main", "fork")
	for sha, want := range map[string]int{signed: pr.GetNumber(), forkHead: 0} {
		prs, _, err := gh.PullRequests.ListPullRequestsWithCommit(ctx, "o", "r", sha, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want == 0 && len(prs) != 0 || want != 0 && (len(prs) != 1 || prs[0].GetNumber() != want) {
			t.Errorf("pulls of %s = %d, want #%d only", sha[:7], len(prs), want)
		}
	}
	open, _, err := gh.PullRequests.List(ctx, "o", "r", &github.PullRequestListOptions{State: "open"})
	if err != nil || len(open) != 2 || open[1].GetNumber() != forkPR || open[1].GetHead().GetSHA() != forkHead ||
		open[1].GetHead().GetRepo().GetID() == open[1].GetBase().GetRepo().GetID() {
		t.Fatalf("open pulls = %+v, %v", open, err)
	}
}
