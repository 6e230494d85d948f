package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/remediations"
)

const (
	humanCommitsMarker  = "<!-- hardener:human-commits -->"
	humanCommitsComment = "Hardener found commits on `" + HardeningBranch + "` that it did not make, so it will not update this pull request (that would overwrite them). " +
		"Merge or close it; Hardener opens a fresh one when there is something new to fix.\n\n" + humanCommitsMarker
	closedMarker = "<!-- hardener:closed -->"
)

// writePR builds one commit per remediation on the default branch head and
// points the hardening branch at the last one, then opens the PR or
// refreshes the open one.
func (j *jobRun) writePR(ctx context.Context, sc *scanned, po *prOutcome, open *github.PullRequest, hash string) error {
	refused, err := sc.tree.CheckWritable(ctx, j.gh, originals(po.Results))
	if err != nil {
		return err
	}
	if len(refused) > 0 {
		bad := map[string]bool{}
		for _, p := range refused {
			bad[p] = true
		}
		var more []string
		po.Results, more = keepSeen(po.Results, func(p string) bool { return !bad[p] })
		po.Refused = append(po.Refused, more...)
		if len(po.Results) == 0 {
			po.State, po.Message = prNothing, "Nothing to fix among the files Hardener could see."
			return nil
		}
		hash = fixHash(po.Results)
	}
	body, err := renderPRBody(sc, po, hash)
	if err != nil {
		return err
	}
	if !canCommitByGraphQL(sc.tree, po.Results) {
		return j.writePRGitData(ctx, sc, po, open, body)
	}
	if open != nil {
		return j.refreshPR(ctx, sc, po, open, body)
	}
	head, created, err := j.pushBranch(ctx, sc.tree.Commit, HardeningBranch, po.Results,
		&prRequest{title: PRTitle, body: body, base: j.repo.defaultBranch})
	switch {
	case errors.Is(err, errBranchNotOurs):
		po.State = prBranchUsed
		po.Message = "The branch `" + HardeningBranch + "` exists with commits Hardener did not make; no pull request was opened. Delete the branch to get one."
		j.log.Warn("hardening branch has commits by others; left alone")
		return nil
	case errors.Is(err, errWorkflowsRefused):
		return j.refRefused(po, err)
	case err != nil:
		return fmt.Errorf("push hardening branch: %w", err)
	}
	number, url := 0, ""
	if created != nil {
		number, url = created.Number, created.URL
	} else {
		// Opened by an earlier try whose answer was lost, or not at all.
		pr, err := j.openPROnce(ctx, body)
		if err != nil {
			return err
		}
		number, url = pr.GetNumber(), pr.GetHTMLURL()
	}
	po.setPR(&github.PullRequest{Number: github.Int(number), HTMLURL: github.String(url)}, prOpened, "Opened the hardening pull request %s.")
	j.log.Info("hardening PR opened", "pr", number, "commits", len(po.Results), "head", head)
	return j.labelPR(ctx, number)
}

// writePRGitData is writePR through the Git Data API (a tree and a commit
// per remediation), for changes that createCommitOnBranch cannot make.
func (j *jobRun) writePRGitData(ctx context.Context, sc *scanned, po *prOutcome, open *github.PullRequest, body string) error {
	head, err := j.buildCommits(ctx, sc.tree, po.Results)
	if err != nil {
		return err
	}
	ref := &github.Reference{Ref: github.String("refs/heads/" + HardeningBranch), Object: &github.GitObject{SHA: github.String(head)}}
	if open != nil {
		if _, _, err := j.gh.Git.UpdateRef(ghclient.RetrySafe(ctx), j.repo.owner, j.repo.name, ref, true); err != nil {
			return j.refRefused(po, err)
		}
		return j.editPR(ctx, po, open, body)
	}
	_, _, err = j.gh.Git.CreateRef(ctx, j.repo.owner, j.repo.name, ref)
	if refExists(err) {
		// A branch left from an earlier PR: reuse it only if it is all ours.
		ours, cerr := j.branchOurs(ctx)
		if cerr != nil {
			return cerr
		}
		if !ours {
			po.State = prBranchUsed
			po.Message = "The branch `" + HardeningBranch + "` exists with commits Hardener did not make; no pull request was opened. Delete the branch to get one."
			j.log.Warn("hardening branch has commits by others; left alone")
			return nil
		}
		_, _, err = j.gh.Git.UpdateRef(ghclient.RetrySafe(ctx), j.repo.owner, j.repo.name, ref, true)
	}
	if err != nil {
		return j.refRefused(po, err)
	}
	pr, err := j.openPROnce(ctx, body)
	if err != nil {
		return err
	}
	po.setPR(pr, prOpened, "Opened the hardening pull request %s.")
	j.log.Info("hardening PR opened", "pr", pr.GetNumber(), "commits", len(po.Results))
	return j.labelPR(ctx, pr.GetNumber())
}

// refRefused turns GitHub's refusal to change workflow files without the
// `workflows` permission into a reported outcome; other errors pass.
func (j *jobRun) refRefused(po *prOutcome, err error) error {
	status, msg, ok := ghclient.Refused(err)
	if errors.Is(err, errWorkflowsRefused) || ok && status != http.StatusNotFound && strings.Contains(strings.ToLower(msg), "workflow") {
		po.State = prWorkflows
		po.Message = "GitHub refused to push the hardening branch: changing files under `.github/workflows/` needs the App permission **workflows: write**, which this installation does not grant. " +
			"Accept the updated permissions in the installation settings, then use **Open hardening PR** above."
		j.log.Error("hardening branch refused: the installation lacks the workflows permission", "err", err)
		return nil
	}
	return fmt.Errorf("push hardening branch: %w", err)
}

// refExists reports GitHub refusing to create a branch that exists.
func refExists(err error) bool {
	status, msg, ok := ghclient.Refused(err)
	return ok && status == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(msg), "already exists")
}

// originals maps every changed path to its content before any change.
func originals(results []*remediations.Result) map[string][]byte {
	out := map[string][]byte{}
	for _, r := range results {
		for _, c := range r.Changes {
			if _, ok := out[c.Path]; !ok {
				out[c.Path] = c.Before
			}
		}
	}
	return out
}

// buildCommits creates one commit per remediation with inline content and
// no author or committer, so that GitHub signs them as the App. It returns
// the last commit's SHA.
func (j *jobRun) buildCommits(ctx context.Context, t *snapshot.Tree, results []*remediations.Result) (string, error) {
	baseTree, err := t.BaseTree(ctx, j.gh)
	if err != nil {
		return "", err
	}
	parent := t.Commit
	for _, r := range results {
		entries := make([]*github.TreeEntry, 0, len(r.Changes))
		for _, c := range r.Changes {
			e := &github.TreeEntry{Path: github.String(c.Path), Mode: github.String("100644"), Type: github.String("blob")}
			if f, ok := t.Files[c.Path]; ok && f.Mode&0o111 != 0 {
				e.Mode = github.String("100755")
			}
			if c.After != nil {
				e.Content = github.String(string(c.After))
			}
			entries = append(entries, e)
		}
		tree, _, err := j.gh.Git.CreateTree(ctx, j.repo.owner, j.repo.name, baseTree, entries)
		if err != nil {
			return "", fmt.Errorf("create tree for %s: %w", r.ID, err)
		}
		commit, _, err := j.gh.Git.CreateCommit(ctx, j.repo.owner, j.repo.name, &github.Commit{
			Message: github.String(commitMessage(r)), Tree: &github.Tree{SHA: tree.SHA},
			Parents: []*github.Commit{{SHA: github.String(parent)}},
		}, nil)
		if err != nil {
			return "", fmt.Errorf("create commit for %s: %w", r.ID, err)
		}
		parent, baseTree = commit.GetSHA(), tree.GetSHA()
	}
	return parent, nil
}

// commitMessage is the remediation's title, a blank line and the first
// paragraph of its explanation without Markdown emphasis.
func commitMessage(r *remediations.Result) string {
	title := r.Title
	if title == "" {
		title = "Apply " + r.ID
	}
	short := ""
	for _, para := range strings.Split(strings.ReplaceAll(r.Explanation, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" || strings.HasPrefix(para, "#") {
			continue
		}
		short = strings.ReplaceAll(para, "**", "")
		break
	}
	if r := []rune(short); len(r) > 600 {
		short = string(r[:600]) + "…"
	}
	if short == "" {
		return title
	}
	return title + "\n\n" + short
}

// prCommitsOurs reports whether every commit of the PR is the App's.
func (j *jobRun) prCommitsOurs(ctx context.Context, pr *github.PullRequest) (bool, error) {
	app, err := j.w.identity(ctx)
	if err != nil {
		return false, err
	}
	commits, _, err := j.gh.PullRequests.ListCommits(ctx, j.repo.owner, j.repo.name, pr.GetNumber(), &github.ListOptions{PerPage: 100})
	if err != nil {
		return false, fmt.Errorf("list commits of #%d: %w", pr.GetNumber(), err)
	}
	for _, c := range commits {
		if !ours(c, app.BotLogin()) {
			return false, nil
		}
	}
	return true, nil
}

// branchOurs reports whether every commit on the hardening branch that the
// default branch lacks is the App's.
func (j *jobRun) branchOurs(ctx context.Context) (bool, error) {
	app, err := j.w.identity(ctx)
	if err != nil {
		return false, err
	}
	cmp, _, err := j.gh.Repositories.CompareCommits(ctx, j.repo.owner, j.repo.name, j.repo.defaultBranch, HardeningBranch, &github.ListOptions{PerPage: 100})
	if err != nil {
		return false, fmt.Errorf("compare %s...%s: %w", j.repo.defaultBranch, HardeningBranch, err)
	}
	for _, c := range cmp.Commits {
		if !ours(c, app.BotLogin()) {
			return false, nil
		}
	}
	return true, nil
}

// commentOnce comments on an issue or PR unless a comment with marker is
// already there.
func (j *jobRun) commentOnce(ctx context.Context, number int, marker, body string) error {
	if done, err := j.hasComment(ctx, number, marker); err != nil || done {
		return err
	}
	if _, _, err := j.gh.Issues.CreateComment(ctx, j.repo.owner, j.repo.name, number, &github.IssueComment{Body: github.String(body)}); err != nil {
		return fmt.Errorf("comment on #%d: %w", number, err)
	}
	return nil
}

// closeHardeningPR closes the App's open PR with a comment and deletes its
// branch (unless people pushed to it). No open PR: nothing to do.
func (j *jobRun) closeHardeningPR(ctx context.Context, why string) error {
	prs, _, err := j.gh.PullRequests.List(ctx, j.repo.owner, j.repo.name, &github.PullRequestListOptions{
		State: "open", Head: j.repo.owner + ":" + HardeningBranch})
	if err != nil {
		if ghclient.IsNotFound(err) || refused(err) {
			j.log.Info("repository no longer accessible; hardening PR left as is", "err", err)
			return nil
		}
		return fmt.Errorf("list hardening pull requests: %w", err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() != HardeningBranch {
			continue
		}
		if err := j.commentOnce(ctx, pr.GetNumber(), closedMarker, why+"\n\n"+closedMarker); err != nil {
			return err
		}
		if _, _, err := j.gh.PullRequests.Edit(ctx, j.repo.owner, j.repo.name, pr.GetNumber(), &github.PullRequest{State: github.String("closed")}); err != nil {
			return fmt.Errorf("close #%d: %w", pr.GetNumber(), err)
		}
		allOurs, err := j.prCommitsOurs(ctx, pr)
		if err != nil {
			return err
		}
		if allOurs {
			if _, err := j.gh.Git.DeleteRef(ctx, j.repo.owner, j.repo.name, "heads/"+HardeningBranch); err != nil && !refused(err) {
				return fmt.Errorf("delete branch %s: %w", HardeningBranch, err)
			}
		}
		j.log.Info("hardening PR closed", "pr", pr.GetNumber(), "branch_deleted", allOurs)
	}
	return nil
}
