package app

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"
)

// maxCommentPages bounds the comments read (100 a page) to find the App's.
const maxCommentPages = 10

// addLabels labels issue or pull request number. The body is
// {"labels": [...]}, as the API documents it (go-github's
// AddLabelsToIssue sends a bare array).
func (j *jobRun) addLabels(ctx context.Context, number int, labels ...string) error {
	path := j.repoAPI("issues", strconv.Itoa(number), "labels")
	return ghJSON(ctx, j.gh, http.MethodPost, path, map[string][]string{"labels": labels}, nil)
}

// hasComment reports whether the App already left the comment ending with
// marker on issue or pull request number: a comment by its bot whose last
// line is marker (anyone can quote a marker). It reads at most
// maxCommentPages pages; past that it answers yes, so that a busy thread
// gets no duplicate.
func (j *jobRun) hasComment(ctx context.Context, number int, marker string) (bool, error) {
	app, err := j.w.identity(ctx)
	if err != nil {
		return false, err
	}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for range maxCommentPages {
		list, resp, err := j.gh.Issues.ListComments(ctx, j.repo.owner, j.repo.name, number, opts)
		if err != nil {
			return false, fmt.Errorf("list comments of #%d: %w", number, err)
		}
		for _, c := range list {
			if strings.EqualFold(c.GetUser().GetLogin(), app.BotLogin()) && lastLine(c.GetBody()) == marker {
				return true, nil
			}
		}
		if resp.NextPage == 0 {
			return false, nil
		}
		opts.Page = resp.NextPage
	}
	j.log.Warn("more comments than the App reads; not commenting again", "issue", number, "pages", maxCommentPages)
	return true, nil
}
