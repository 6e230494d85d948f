package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
)

// refreshBranch is where the commits of a refreshed pull request are built
// before the hardening branch is moved to them: commits made with
// createCommitOnBranch go on top of a branch, and moving the open pull
// request's branch back to the default branch's head would make GitHub
// take the pull request as merged.
const refreshBranch = HardeningBranch + "-next"

// refreshPR rebuilds the commits of the open hardening PR on the current
// default branch head and moves its branch to them.
func (j *jobRun) refreshPR(ctx context.Context, sc *scanned, po *prOutcome, open *github.PullRequest, body string) error {
	head, _, err := j.pushBranch(ctx, sc.tree.Commit, refreshBranch, po.Results, nil)
	switch {
	case errors.Is(err, errBranchNotOurs):
		po.setPR(open, prBranchUsed, "The hardening pull request %s was not refreshed: the branch `"+refreshBranch+"` has commits Hardener did not make. Delete it to let Hardener refresh the pull request.")
		return nil
	case errors.Is(err, errWorkflowsRefused):
		return j.refRefused(po, err)
	case err != nil:
		return fmt.Errorf("push %s: %w", refreshBranch, err)
	}
	ref := &github.Reference{Ref: github.String("refs/heads/" + HardeningBranch), Object: &github.GitObject{SHA: github.String(head)}}
	if _, _, err := j.gh.Git.UpdateRef(ghclient.RetrySafe(ctx), j.repo.owner, j.repo.name, ref, true); err != nil {
		return j.refRefused(po, err)
	}
	if _, err := j.gh.Git.DeleteRef(ctx, j.repo.owner, j.repo.name, "heads/"+refreshBranch); err != nil && !refused(err) {
		return fmt.Errorf("delete branch %s: %w", refreshBranch, err)
	}
	return j.editPR(ctx, po, open, body)
}

// editPR sets the open PR's title and body (safe to repeat).
func (j *jobRun) editPR(ctx context.Context, po *prOutcome, open *github.PullRequest, body string) error {
	pr, _, err := j.gh.PullRequests.Edit(ghclient.RetrySafe(ctx), j.repo.owner, j.repo.name, open.GetNumber(), &github.PullRequest{
		Title: github.String(PRTitle), Body: github.String(body)})
	if err != nil {
		return fmt.Errorf("update hardening pull request: %w", err)
	}
	po.setPR(pr, prUpdated, "Updated the hardening pull request %s with the current fixes.")
	j.log.Info("hardening PR updated", "pr", pr.GetNumber())
	return nil
}

// openPROnce opens the hardening PR, or finds the one an earlier try opened
// before its answer was lost: it looks before opening again.
func (j *jobRun) openPROnce(ctx context.Context, body string) (*github.PullRequest, error) {
	const tries = 4
	for n := range tries {
		pr, _, err := j.gh.PullRequests.Create(ctx, j.repo.owner, j.repo.name, &github.NewPullRequest{
			Title: github.String(PRTitle), Head: github.String(HardeningBranch), Base: github.String(j.repo.defaultBranch),
			Body: github.String(body), MaintainerCanModify: github.Bool(true),
		})
		if err == nil {
			return pr, nil
		}
		exists := prExists(err)
		if !exists && !serverFailed(err) || n == tries-1 {
			return nil, fmt.Errorf("open hardening pull request: %w", err)
		}
		prs, _, lerr := j.gh.PullRequests.List(ctx, j.repo.owner, j.repo.name, &github.PullRequestListOptions{
			State: "open", Head: j.repo.owner + ":" + HardeningBranch})
		if lerr != nil {
			return nil, fmt.Errorf("list hardening pull requests: %w", lerr)
		}
		for _, pr := range prs {
			if pr.GetHead().GetRef() == HardeningBranch {
				return pr, nil
			}
		}
		if exists {
			return nil, fmt.Errorf("open hardening pull request: %w", err)
		}
		if err := j.w.clock.Sleep(ctx, retryPause(n)); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("open hardening pull request: no answer")
}

// prExists reports GitHub refusing a second pull request from the branch
// (422, "A pull request already exists for …", in the message or, as
// GitHub sends it, in the list of errors).
func prExists(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || ghclient.Status(err) != http.StatusUnprocessableEntity {
		return false
	}
	texts := []string{er.Message}
	for _, e := range er.Errors {
		texts = append(texts, e.Message)
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), "already exists") {
			return true
		}
	}
	return false
}

// labelPR adds the hardening label, in one request that is safe to repeat.
// A refusal (no such permission) is logged; a pause or an outage is
// returned, and the job's next run adds the label to the open PR.
func (j *jobRun) labelPR(ctx context.Context, number int) error {
	err := j.addLabels(ghclient.RetrySafe(ctx), number, PRLabel)
	if err != nil && refused(err) {
		j.log.Warn("could not label the hardening pull request", "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("label #%d: %w", number, err)
	}
	return nil
}

// hasLabel reports whether the PR carries the hardening label.
func hasLabel(pr *github.PullRequest) bool {
	for _, l := range pr.Labels {
		if strings.EqualFold(l.GetName(), PRLabel) {
			return true
		}
	}
	return false
}
