package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// addLabels labels issue or pull request number. The body is
// {"labels": [...]}, as the API documents it (go-github's
// AddLabelsToIssue sends a bare array).
func (j *jobRun) addLabels(ctx context.Context, number int, labels ...string) error {
	path := fmt.Sprintf("repos/%s/%s/issues/%d/labels", url.PathEscape(j.repo.owner), url.PathEscape(j.repo.name), number)
	return ghJSON(ctx, j.gh, http.MethodPost, path, map[string][]string{"labels": labels}, nil)
}
