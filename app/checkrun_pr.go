package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/templates"
)

// maxOpenPRPages bounds the open pull requests read (100 a page, most
// recently updated first) to find the one a re-run check belongs to.
const maxOpenPRPages = 5

// checkHead posts the check run of a head commit (JobCheck). A head that
// belongs to an open pull request of this repository is judged as that
// pull request — with the base's config and the narrowed token — however
// the job was caused: GitHub sends re-runs of a fork's check
// (check_run.rerequested) without pull_requests, and judging the head
// alone, with the fork's own config, would turn a failing check neutral.
func (j *jobRun) checkHead(ctx context.Context) error {
	err := j.judgeHead(ctx)
	var refused *snapshot.ArchiveError
	if errors.As(err, &refused) && j.job.HeadSHA != "" {
		// A hostile tree must not end in no check at all.
		j.log.Warn("repository archive refused; the check fails", "err", err)
		cr, serr := j.startCheck(ctx, j.job.HeadSHA)
		if serr != nil {
			return serr
		}
		return j.finishCheck(ctx, cr, checkResult{Conclusion: "failure", Title: "Repository archive refused",
			Summary: summaryData{Headline: "Hardener could not check this commit: it refused the repository archive, so nothing was scanned.",
				Errors: []string{templates.Text(err.Error())}}})
	}
	return err
}

// judgeHead judges the head as its pull request's or as a commit.
func (j *jobRun) judgeHead(ctx context.Context) error {
	if j.job.PR != 0 && j.job.BaseSHA != "" {
		return j.checkPullRequest(ctx)
	}
	pr, err := j.pullRequestOf(ctx)
	if err != nil {
		return err
	}
	if pr == nil {
		return j.checkCommit(ctx)
	}
	j.job.PR, j.job.BaseSHA = pr.GetNumber(), pr.GetBase().GetSHA()
	j.job.Fork = pr.GetHead().GetRepo().GetID() != pr.GetBase().GetRepo().GetID()
	j.log = j.log.With("pr", j.job.PR)
	ctx = intake.ContextWithLogger(ctx, j.log)
	if j.gh, err = j.w.clients.InstallationFor(ctx, j.job.InstallationID, nil, checkOnly); err != nil {
		return err
	}
	j.granted = nil
	j.log.Info("head belongs to an open pull request; judged as the pull request", "fork", j.job.Fork)
	return j.checkPullRequest(ctx)
}

// pullRequestOf finds the open pull request of this repository whose head
// is the job's commit, or nil. It reads with the installation's token (a
// narrowed one may not read pull requests) and only reads.
func (j *jobRun) pullRequestOf(ctx context.Context) (*github.PullRequest, error) {
	gh, err := j.w.clients.Installation(ctx, j.job.InstallationID)
	if err != nil {
		return nil, err
	}
	sha := j.job.HeadSHA
	if j.job.PR != 0 {
		return j.openPR(ctx, gh, j.job.PR, sha)
	}
	// Pull requests from branches of this repository (not forks: GitHub
	// does not associate a fork's commits with the base repository).
	prs, _, err := gh.PullRequests.ListPullRequestsWithCommit(ctx, j.repo.owner, j.repo.name, sha, &github.ListOptions{PerPage: 100})
	if err != nil && !ghclient.IsNotFound(err) && ghclient.Status(err) != 422 {
		return nil, fmt.Errorf("pull requests of %s: %w", sha, err)
	}
	for _, pr := range prs {
		if j.headOf(pr, sha) {
			return pr, nil
		}
	}
	if j.job.Action != "rerequested" {
		return nil, nil
	}
	// A re-run: the run being re-run names the pull request it judged.
	if n, err := j.judgedPR(ctx, gh, sha); err != nil || n != 0 {
		if err != nil {
			return nil, err
		}
		if pr, err := j.openPR(ctx, gh, n, sha); err != nil || pr != nil {
			return pr, err
		}
	}
	// A fork's pull request: among the open ones, most recently updated
	// first (a push updates it).
	opts := &github.PullRequestListOptions{State: "open", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxOpenPRPages; page++ {
		list, resp, err := gh.PullRequests.List(ctx, j.repo.owner, j.repo.name, opts)
		if err != nil {
			return nil, fmt.Errorf("open pull requests: %w", err)
		}
		for _, pr := range list {
			if j.headOf(pr, sha) {
				return pr, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
	j.log.Warn("head not found among the most recently updated open pull requests; judged as a commit", "pages", maxOpenPRPages)
	return nil, nil
}

// openPR returns pull request n when it is open, onto this repository,
// with head sha; nil otherwise.
func (j *jobRun) openPR(ctx context.Context, gh *github.Client, n int, sha string) (*github.PullRequest, error) {
	pr, _, err := gh.PullRequests.Get(ctx, j.repo.owner, j.repo.name, n)
	if ghclient.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pull request #%d: %w", n, err)
	}
	if !j.headOf(pr, sha) {
		return nil, nil
	}
	return pr, nil
}

// headOf reports whether pr is open, onto this repository, with head sha.
func (j *jobRun) headOf(pr *github.PullRequest, sha string) bool {
	return pr.GetState() == "open" && pr.GetHead().GetSHA() == sha &&
		strings.EqualFold(pr.GetBase().GetRepo().GetFullName(), j.repo.full())
}

// judgedPR is the pull request the App's run on sha was judged for, from
// its external ID, or 0.
func (j *jobRun) judgedPR(ctx context.Context, gh *github.Client, sha string) (int, error) {
	app, err := j.w.identity(ctx)
	if err != nil {
		return 0, err
	}
	name := CheckName
	list, _, err := gh.Checks.ListCheckRunsForRef(ctx, j.repo.owner, j.repo.name, sha, &github.ListCheckRunsOptions{
		CheckName: &name, AppID: &app.ID, ListOptions: github.ListOptions{PerPage: 10}})
	if err != nil {
		return 0, fmt.Errorf("list check runs of %s: %w", sha, err)
	}
	for _, r := range list.CheckRuns {
		if r.GetApp().GetID() != app.ID {
			continue
		}
		if n, _ := parseExternalID(r.GetExternalID()); n != 0 {
			return n, nil
		}
	}
	return 0, nil
}

// A run's external ID is the hash of what it shows, prefixed with the pull
// request it judged: "pr<N>:<hash>".

// externalID is the external ID of res posted by this job.
func (j *jobRun) externalID(res checkResult) string {
	h := resultHash(res)
	if n := j.judging(); n != 0 {
		return "pr" + strconv.Itoa(n) + ":" + h
	}
	return h
}

// judging is the pull request this job judges, 0 for a commit's check.
func (j *jobRun) judging() int {
	if j.job.Kind == intake.JobCheck && j.job.PR != 0 && j.job.BaseSHA != "" {
		return j.job.PR
	}
	return 0
}

// parseExternalID splits an external ID into the pull request it names
// (0: none) and the hash.
func parseExternalID(id string) (pr int, hash string) {
	if rest, ok := strings.CutPrefix(id, "pr"); ok {
		if n, h, ok := strings.Cut(rest, ":"); ok {
			if v, err := strconv.Atoi(n); err == nil && v > 0 {
				return v, h
			}
		}
	}
	return 0, id
}

// supersedes reports whether this job's result may replace the completed
// run pc: a run judged as part of a pull request is never replaced by a
// result of the commit alone (a neutral run would satisfy a required check
// the pull request fails).
func (j *jobRun) supersedes(pc *pendingCheck) bool {
	if pc.completed && pc.pr != 0 && j.judging() == 0 {
		j.log.Info("check run judged as part of a pull request; a result of the commit alone does not replace it",
			"check_run", pc.id, "judged_pr", pc.pr)
		return false
	}
	return true
}
