package dashboard

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
)

// issueRepo is the repository the dashboard issue lives in.
type issueRepo struct {
	gh          *github.Client
	owner, name string
	bot         string // the App's login, "<slug>[bot]"
}

// maxIssuePages bounds the search for the issue among the App's issues in
// the repository (it should have one there).
const maxIssuePages = 5

// find returns the dashboard issue: an issue (not a pull request) opened
// by the App whose body carries the marker, the oldest if there are
// several. Issues anyone else opened are never taken for it, whatever
// their body says.
func (p issueRepo) find(ctx context.Context) (*github.Issue, error) {
	opts := &github.IssueListByRepoOptions{Creator: p.bot, State: "all", Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxIssuePages; page++ {
		list, resp, err := p.gh.Issues.ListByRepo(ctx, p.owner, p.name, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the App's issues in %s/%s: %w", p.owner, p.name, err)
		}
		for _, is := range list {
			if is.IsPullRequest() || !strings.EqualFold(is.GetUser().GetLogin(), p.bot) ||
				!strings.HasPrefix(is.GetBody(), Marker) {
				continue
			}
			return is, nil
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return nil, nil
}

// write creates the issue or updates its body; an unchanged body is not
// sent. It reports whether it wrote.
func (p issueRepo) write(ctx context.Context, existing *github.Issue, body string) (*github.Issue, bool, error) {
	if existing == nil {
		is, _, err := p.gh.Issues.Create(ctx, p.owner, p.name, &github.IssueRequest{Title: github.String(Title), Body: &body})
		if err != nil {
			return nil, false, fmt.Errorf("creating the dashboard issue in %s/%s: %w", p.owner, p.name, err)
		}
		return is, true, nil
	}
	if existing.GetBody() == body {
		return existing, false, nil
	}
	is, _, err := p.gh.Issues.Edit(ctx, p.owner, p.name, existing.GetNumber(), &github.IssueRequest{Body: &body})
	if err != nil {
		return nil, false, fmt.Errorf("updating the dashboard issue %s/%s#%d: %w", p.owner, p.name, existing.GetNumber(), err)
	}
	return is, true, nil
}
