package githubfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func TestAuthAndInstallationTokens(t *testing.T) {
	t.Parallel()
	f := New(t, RequireAuth())
	f.AddRepo("octo-org", "app", map[string]string{"a": "b"})
	f.AddRepo("octo-org", "other", map[string]string{"a": "b"})
	ctx := context.Background()
	_, _, err := f.ClientWithToken("ghs_unknown").Repositories.Get(ctx, "octo-org", "app")
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: %v", err)
	}
	jwt := f.ClientWithToken("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2ln")
	tok, _, err := jwt.Apps.CreateInstallationToken(ctx, 1, &github.InstallationTokenOptions{
		Repositories: []string{"app"}, Permissions: &github.InstallationPermissions{Contents: github.String("write")}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.GetToken(), "ghs_") || time.Until(tok.GetExpiresAt().Time) < 59*time.Minute {
		t.Fatalf("token = %+v", tok)
	}
	repos, _, err := f.ClientWithToken(tok.GetToken()).Apps.ListRepos(ctx, nil)
	if err != nil || repos.GetTotalCount() != 1 || repos.Repositories[0].GetName() != "app" {
		t.Fatalf("repos = %+v %v", repos, err)
	}
	issued := f.Tokens()
	if len(issued) != 1 || issued[0].Permissions["contents"] != "write" || issued[0].Permissions["workflows"] != "" {
		t.Fatalf("issued = %+v", issued)
	}
	kinds := map[string]string{}
	for _, r := range f.Requests() {
		kinds[r.OperationID] = r.Auth
	}
	if kinds["apps/create-installation-access-token"] != "app-jwt" || kinds["apps/list-repos-accessible-to-installation"] != "installation-token" {
		t.Fatalf("auth kinds = %v", kinds)
	}
}

func TestWorkflowsPermission(t *testing.T) {
	t.Parallel()
	f := New(t, EnforceWorkflowsPermission())
	repo := f.AddRepo("o", "r", map[string]string{".github/workflows/ci.yml": "on: push\n"})
	main := repo.BranchSHA("main")
	changed := repo.CommitDetached("main", "pin", map[string]string{".github/workflows/ci.yml": "on: [push]\n"})
	ctx := context.Background()
	narrow := f.ClientWithToken(f.IssueToken(1, map[string]string{"contents": "write"}))
	_, _, err := narrow.Git.CreateRef(ctx, "o", "r", &github.Reference{Ref: github.String("refs/heads/fix"), Object: &github.GitObject{SHA: github.String(changed)}})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || !strings.Contains(er.Message, "without `workflows` permission") {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := narrow.Git.CreateRef(ctx, "o", "r", &github.Reference{Ref: github.String("refs/heads/same"), Object: &github.GitObject{SHA: github.String(main)}}); err != nil {
		t.Fatalf("unchanged workflows refused: %v", err)
	}
	if _, _, err := f.Client().Git.CreateRef(ctx, "o", "r", &github.Reference{Ref: github.String("refs/heads/fix"), Object: &github.GitObject{SHA: github.String(changed)}}); err != nil {
		t.Fatalf("token with workflows refused: %v", err)
	}
}

func TestPullsIssuesAndSettings(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("o", "r", map[string]string{"a": "b"}, WorkflowPermissions("read"))
	repo.Commit("hardener/fix", "fix", map[string]string{"SECURITY.md": "x"})
	ctx := context.Background()
	gh := f.EnterpriseClient()
	pr, _, err := gh.PullRequests.Create(ctx, "o", "r", &github.NewPullRequest{Title: github.String("Harden"), Head: github.String("hardener/fix"), Base: github.String("main"), Body: github.String("body")})
	if err != nil {
		t.Fatal(err)
	}
	// go-github sends a bare array; the fake holds clients to the
	// documented {"labels": [...]}.
	var er *github.ErrorResponse
	if _, _, err := gh.Issues.AddLabelsToIssue(ctx, "o", "r", pr.GetNumber(), []string{"security"}); !errors.As(err, &er) || er.Response.StatusCode != 422 {
		t.Fatalf("bare label array: err = %v, want 422", err)
	}
	req, err := gh.NewRequest("POST", fmt.Sprintf("repos/o/r/issues/%d/labels", pr.GetNumber()), map[string]any{"labels": []string{"security"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Do(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "o", "r", pr.GetNumber(), &github.IssueComment{Body: github.String("hi")}); err != nil {
		t.Fatal(err)
	}
	list, _, err := gh.PullRequests.List(ctx, "o", "r", &github.PullRequestListOptions{Head: "o:hardener/fix", State: "open"})
	if err != nil || len(list) != 1 || list[0].Labels[0].GetName() != "security" {
		t.Fatalf("list = %v %v", list, err)
	}
	files, _, err := gh.PullRequests.ListFiles(ctx, "o", "r", pr.GetNumber(), nil)
	if err != nil || len(files) != 1 || files[0].GetFilename() != "SECURITY.md" || files[0].GetStatus() != "added" {
		t.Fatalf("files = %v %v", files, err)
	}
	if got := repo.PullRequests(); got[0].Title != "Harden" || got[0].Labels[0] != "security" || len(repo.Comments(pr.GetNumber())) != 1 {
		t.Fatalf("state = %+v", got)
	}

	_, _, err = gh.Repositories.GetBranchProtection(ctx, "o", "r", "main")
	if !errors.Is(err, github.ErrBranchNotProtected) {
		t.Fatalf("protection: %v", err)
	}
	_, _, err = gh.Repositories.UpdateBranchProtection(ctx, "o", "r", "main", &github.ProtectionRequest{
		RequiredPullRequestReviews: &github.PullRequestReviewsEnforcementRequest{RequiredApprovingReviewCount: 1},
		EnforceAdmins:              true,
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := gh.Repositories.GetBranchProtection(ctx, "o", "r", "main")
	if err != nil || p.GetRequiredPullRequestReviews().RequiredApprovingReviewCount != 1 || !p.GetEnforceAdmins().Enabled {
		t.Fatalf("protection = %+v %v", p, err)
	}
	if _, err := gh.Repositories.EnablePrivateReporting(ctx, "o", "r"); err != nil || !repo.PVREnabled() {
		t.Fatalf("pvr: %v", err)
	}
	perms, _, err := gh.Repositories.GetDefaultWorkflowPermissions(ctx, "o", "r")
	if err != nil || perms.GetDefaultWorkflowPermissions() != "read" {
		t.Fatalf("workflow perms = %v %v", perms, err)
	}
	rs, _, err := gh.Repositories.CreateRuleset(ctx, "o", "r", &github.Ruleset{Name: "main", Enforcement: "active", Target: github.String("branch"),
		Conditions: &github.RulesetConditions{RefName: &github.RulesetRefConditionParameters{Include: []string{"~DEFAULT_BRANCH"}, Exclude: []string{}}},
		Rules:      []*github.RepositoryRule{github.NewNonFastForwardRule()}})
	if err != nil || rs.GetID() == 0 {
		t.Fatalf("ruleset: %v %v", rs, err)
	}
	rules, _, err := gh.Repositories.GetRulesForBranch(ctx, "o", "r", "main")
	if err != nil || len(rules) != 1 || rules[0].Type != "non_fast_forward" {
		t.Fatalf("rules = %v %v", rules, err)
	}
	for _, r := range f.Requests() {
		if r.OperationID == "" {
			t.Errorf("unmatched request %+v", r)
		}
	}
}
