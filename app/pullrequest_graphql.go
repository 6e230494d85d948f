package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/remediations"
)

// graphQLErrors are the errors of a GraphQL answer (GitHub answers 200).
type graphQLErrors []struct {
	Type    string `json:"type"`
	Path    []any  `json:"path"`
	Message string `json:"message"`
}

func (e graphQLErrors) Error() string {
	var msgs []string
	for _, x := range e {
		msgs = append(msgs, x.Message)
	}
	return "graphql: " + strings.Join(msgs, "; ")
}

// at returns the error of the top-level field alias, if any.
func (e graphQLErrors) at(alias string) error {
	for _, x := range e {
		if len(x.Path) > 0 && x.Path[0] == alias {
			return errors.New(x.Message)
		}
	}
	return nil
}

// graphql sends one GraphQL document with the job's client (its pacing
// counts a document with a mutation as one write) and decodes data into
// out. GraphQL errors come back with the data that was produced.
func (j *jobRun) graphql(ctx context.Context, query string, vars map[string]any, out any) (graphQLErrors, error) {
	return graphqlDo(ctx, j.gh, query, vars, out)
}

// graphqlDo sends one GraphQL document with gh, at /graphql next to the
// REST root (/api/graphql on GitHub Enterprise Server).
func graphqlDo(ctx context.Context, gh *github.Client, query string, vars map[string]any, out any) (graphQLErrors, error) {
	base := gh.BaseURL.String()
	endpoint := base + "graphql"
	if strings.HasSuffix(base, "/api/v3/") {
		endpoint = strings.TrimSuffix(base, "v3/") + "graphql" // GitHub Enterprise Server
	}
	req, err := gh.NewRequest(http.MethodPost, endpoint, map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Data   any           `json:"data"`
		Errors graphQLErrors `json:"errors"`
	}
	answer.Data = out
	if _, err := gh.Do(ctx, req, &answer); err != nil {
		return nil, err
	}
	return answer.Errors, nil
}

// errBranchNotOurs: the branch holds commits the App did not make.
var errBranchNotOurs = errors.New("branch has commits by others")

// canCommitByGraphQL reports whether createCommitOnBranch can write every
// change: it sets no file modes, so a change to an executable file goes
// through the Git Data API instead.
func canCommitByGraphQL(t *snapshot.Tree, results []*remediations.Result) bool {
	for _, r := range results {
		for _, c := range r.Changes {
			if f, ok := t.Files[c.Path]; ok && f.Mode&0o111 != 0 {
				return false
			}
		}
	}
	return true
}

// createdPR is the pull request a branch push opened in its last request.
type createdPR struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
}

// pushBranch makes branch hold one commit per result on top of base, each
// made by GitHub as the App (signed, no custom author): the branch and the
// first commit in one request, each further commit in one request, and
// with openPR the pull request in the last one. A branch left by an
// earlier run with the first k of these commits is continued from there; a
// branch of the App's with anything else is deleted and made again; a
// branch with commits by people is left alone (errBranchNotOurs). It
// returns the head commit, and the pull request when it opened one.
func (j *jobRun) pushBranch(ctx context.Context, base, branch string, results []*remediations.Result, openPR *prRequest) (string, *createdPR, error) {
	head, next, exists := base, 0, false
	const inspections = 4
	for inspected := 0; next < len(results); {
		last := next == len(results)-1
		oid, pr, err := j.commitStep(ctx, branch, head, results[next], next == 0 && !exists, last, openPR)
		if err == nil {
			head, next = oid, next+1
			if last {
				return head, pr, nil
			}
			continue
		}
		if ghclient.IsPark(err) || errors.Is(err, errWorkflowsRefused) || !serverFailed(err) && !errors.As(err, new(graphQLErrors)) {
			return "", nil, err
		}
		// The request may or may not have been carried out, or the branch
		// was not where we thought: look at it before going on.
		if inspected++; inspected > inspections {
			return "", nil, fmt.Errorf("pushing %s: %w", branch, err)
		}
		if inspected > 1 {
			if err := j.w.clock.Sleep(ctx, retryPause(inspected-2)); err != nil {
				return "", nil, err
			}
		}
		k, h, found, perr := j.branchProgress(ctx, base, branch, results)
		switch {
		case perr != nil:
			return "", nil, perr
		case k < 0:
			// The App's own branch from something else: start afresh.
			if _, err := j.gh.Git.DeleteRef(ctx, j.repo.owner, j.repo.name, "heads/"+branch); err != nil && !refused(err) {
				return "", nil, fmt.Errorf("delete stale branch %s: %w", branch, err)
			}
			head, next, exists = base, 0, false
		default:
			head, next, exists = h, k, found
		}
		j.log.Info("branch inspected; going on", "branch", branch, "commits_done", next, "of", len(results))
	}
	return head, nil, nil
}

// prRequest is the pull request to open with the last commit.
type prRequest struct{ title, body, base string }

// errWorkflowsRefused: GitHub refused a commit that changes workflow files
// because the installation lacks the workflows permission.
var errWorkflowsRefused = errors.New("refusing to change workflow files without the workflows permission")

// commitStep sends one GraphQL document: optionally the branch, the commit
// of r on top of head, optionally the pull request.
func (j *jobRun) commitStep(ctx context.Context, branch, head string, r *remediations.Result, createRef, last bool, pr *prRequest) (string, *createdPR, error) {
	var adds, dels []map[string]any
	for _, c := range r.Changes {
		if c.After == nil {
			dels = append(dels, map[string]any{"path": c.Path})
			continue
		}
		adds = append(adds, map[string]any{"path": c.Path, "contents": base64.StdEncoding.EncodeToString(c.After)})
	}
	headline, body, _ := strings.Cut(commitMessage(r), "\n\n")
	vars := map[string]any{
		"commit": map[string]any{
			"branch":          map[string]any{"repositoryNameWithOwner": j.repo.full(), "branchName": branch},
			"expectedHeadOid": head,
			"message":         map[string]any{"headline": headline, "body": body},
			"fileChanges":     map[string]any{"additions": adds, "deletions": dels},
		},
	}
	var params, fields []string
	params = append(params, "$commit: CreateCommitOnBranchInput!")
	if createRef {
		params = append(params, "$ref: CreateRefInput!")
		fields = append(fields, "ref: createRef(input: $ref) { ref { name } }")
		vars["ref"] = map[string]any{"repositoryId": j.repo.nodeID, "name": "refs/heads/" + branch, "oid": head}
	}
	fields = append(fields, "commit: createCommitOnBranch(input: $commit) { commit { oid } }")
	if last && pr != nil {
		params = append(params, "$pr: CreatePullRequestInput!")
		fields = append(fields, "pr: createPullRequest(input: $pr) { pullRequest { number url } }")
		vars["pr"] = map[string]any{"repositoryId": j.repo.nodeID, "baseRefName": pr.base, "headRefName": branch,
			"title": pr.title, "body": pr.body, "maintainerCanModify": true}
	}
	doc := "mutation(" + strings.Join(params, ", ") + ") {\n  " + strings.Join(fields, "\n  ") + "\n}"
	var out struct {
		Commit *struct {
			Commit struct {
				Oid string `json:"oid"`
			} `json:"commit"`
		} `json:"commit"`
		PR *struct {
			PullRequest createdPR `json:"pullRequest"`
		} `json:"pr"`
	}
	errs, err := j.graphql(ctx, doc, vars, &out)
	if err != nil {
		return "", nil, fmt.Errorf("commit %s: %w", r.ID, err)
	}
	if cerr := errs.at("commit"); cerr != nil || out.Commit == nil {
		if cerr != nil && strings.Contains(cerr.Error(), "workflow") && strings.Contains(strings.ToLower(cerr.Error()), "refusing") {
			return "", nil, fmt.Errorf("commit %s: %w: %v", r.ID, errWorkflowsRefused, cerr)
		}
		if len(errs) == 0 {
			return "", nil, fmt.Errorf("commit %s: no commit in GitHub's answer", r.ID)
		}
		return "", nil, fmt.Errorf("commit %s: %w", r.ID, errs)
	}
	var created *createdPR
	if out.PR != nil && out.PR.PullRequest.Number != 0 {
		created = &out.PR.PullRequest
	} else if perr := errs.at("pr"); perr != nil {
		j.log.Info("pull request not opened with the last commit", "err", perr)
	}
	return out.Commit.Commit.Oid, created, nil
}

// branchProgress tells how far branch is: k of results' commits on top of
// base (k = 0 and found false when the branch does not exist), and its
// head; k = -1 when it holds something else made by the App, and
// errBranchNotOurs when people committed to it.
func (j *jobRun) branchProgress(ctx context.Context, base, branch string, results []*remediations.Result) (k int, head string, found bool, err error) {
	cmp, _, err := j.gh.Repositories.CompareCommits(ctx, j.repo.owner, j.repo.name, base, branch, &github.ListOptions{PerPage: 100})
	if ghclient.IsNotFound(err) {
		return 0, base, false, nil
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("compare %s...%s: %w", base, branch, err)
	}
	app, err := j.w.identity(ctx)
	if err != nil {
		return 0, "", false, err
	}
	for _, c := range cmp.Commits {
		if !ours(c, app.BotLogin()) {
			return 0, "", true, errBranchNotOurs
		}
	}
	k = len(cmp.Commits)
	if cmp.GetBehindBy() != 0 || cmp.GetMergeBaseCommit().GetSHA() != base || k > len(results) {
		return -1, "", true, nil
	}
	for i, c := range cmp.Commits {
		if c.GetCommit().GetMessage() != commitMessage(results[i]) {
			return -1, "", true, nil
		}
	}
	// The files the branch changed must be those the first k fixes write,
	// with the same content.
	want := map[string][]byte{}
	for _, r := range results[:k] {
		for _, c := range r.Changes {
			want[c.Path] = c.After
		}
	}
	seen := 0
	for _, f := range cmp.Files {
		after, ok := want[f.GetFilename()]
		switch {
		case !ok:
			return -1, "", true, nil
		case after == nil && f.GetStatus() != "removed", after != nil && f.GetSHA() != gitBlobSHA(after):
			return -1, "", true, nil
		}
		seen++
	}
	if seen != len(want) {
		return -1, "", true, nil
	}
	head = base
	if k > 0 {
		head = cmp.Commits[k-1].GetSHA()
	}
	return k, head, true, nil
}
