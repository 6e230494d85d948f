package app

import (
	"context"
	"fmt"

	"github.com/google/go-github/v62/github"
)

// lookupCheck finds the `hardener` run of sha without creating one: a job
// that posts its result in one request (the first scan of a repository,
// rescans) creates the run completed at the end (finishCheck with no id).
func (j *jobRun) lookupCheck(ctx context.Context, sha string) (*pendingCheck, error) {
	name := CheckName
	list, _, err := j.gh.Checks.ListCheckRunsForRef(ctx, j.repo.owner, j.repo.name, sha, &github.ListCheckRunsOptions{
		CheckName: &name, ListOptions: github.ListOptions{PerPage: 10},
	})
	if err != nil {
		return nil, fmt.Errorf("list check runs of %s: %w", sha, err)
	}
	pc := &pendingCheck{sha: sha}
	for _, r := range list.CheckRuns {
		if r.GetName() != CheckName {
			continue
		}
		pc.id, pc.completed, pc.hash = r.GetID(), r.GetStatus() == "completed", r.GetExternalID()
		return pc, nil
	}
	return pc, nil
}

// createCheckRun creates a run, and is safe to call again: creating is not
// repeated blindly after a server error (GitHub may have created the run
// before failing), the runs of the commit are looked at first and one
// with the same external ID is taken as the one created.
func (j *jobRun) createCheckRun(ctx context.Context, opts github.CreateCheckRunOptions) (*github.CheckRun, error) {
	const tries = 4
	var lastErr error
	for n := range tries {
		r, _, err := j.gh.Checks.CreateCheckRun(ctx, j.repo.owner, j.repo.name, opts)
		if err == nil {
			return r, nil
		}
		if !serverFailed(err) || n == tries-1 {
			return nil, err
		}
		lastErr = err
		name := CheckName
		list, _, lerr := j.gh.Checks.ListCheckRunsForRef(ctx, j.repo.owner, j.repo.name, opts.HeadSHA, &github.ListCheckRunsOptions{
			CheckName: &name, ListOptions: github.ListOptions{PerPage: 10},
		})
		if lerr != nil {
			return nil, lerr
		}
		for _, r := range list.CheckRuns {
			if r.GetName() == CheckName && opts.ExternalID != nil && r.GetExternalID() == *opts.ExternalID {
				j.log.Info("check run was created before the error; not created again", "check_run", r.GetID())
				return r, nil
			}
		}
		if err := j.w.clock.Sleep(ctx, retryPause(n)); err != nil {
			return nil, err
		}
	}
	return nil, lastErr
}
