package githubfake

import (
	"context"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestIssuesKeepBodyAuthorAndState(t *testing.T) {
	t.Parallel()
	f := New(t)
	r := f.AddRepo("octo-org", ".github", map[string]string{"README.md": "hi\n"})
	human := r.AddIssue("mallory", "Hardener dashboard", "<!-- hardener:dashboard --> fake")
	gh := f.Client()
	ctx := context.Background()
	is, _, err := gh.Issues.Create(ctx, "octo-org", ".github", &github.IssueRequest{Title: github.String("t"), Body: github.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if is.GetUser().GetLogin() != "hardener[bot]" || is.GetBody() != "b" || is.GetNumber() != human+1 {
		t.Fatalf("created %+v", is)
	}
	if _, _, err := gh.Issues.Edit(ctx, "octo-org", ".github", is.GetNumber(), &github.IssueRequest{Body: github.String("b2"), State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	list, _, err := gh.Issues.ListByRepo(ctx, "octo-org", ".github", &github.IssueListByRepoOptions{Creator: "hardener[bot]", State: "all"})
	if err != nil || len(list) != 1 || list[0].GetBody() != "b2" || list[0].GetState() != "closed" {
		t.Fatalf("listed %v, %v", list, err)
	}
	open, _, _ := gh.Issues.ListByRepo(ctx, "octo-org", ".github", nil)
	if len(open) != 1 || open[0].GetUser().GetLogin() != "mallory" {
		t.Errorf("open issues %v", open)
	}
	if got := r.Issues(); len(got) != 2 || got[1].Edits != 1 {
		t.Errorf("issues %+v", got)
	}
}

func TestPushedAtMovesWithEveryPush(t *testing.T) {
	t.Parallel()
	f := New(t)
	r := f.AddRepo("octo-org", "a", map[string]string{"README.md": "hi\n"})
	get := func() github.Timestamp {
		repo, _, err := f.Client().Repositories.Get(context.Background(), "octo-org", "a")
		if err != nil {
			t.Fatal(err)
		}
		return repo.GetPushedAt()
	}
	first := get()
	r.Commit("main", "change", map[string]string{"x": "y"})
	second := get()
	if !second.After(first.Time) || second.Time != get().Time {
		t.Errorf("pushed_at %v then %v", first, second)
	}
	r.Commit("feature", "branch", map[string]string{"x": "z"})
	if !get().After(second.Time) {
		t.Error("a push to another branch does not move pushed_at")
	}
}
