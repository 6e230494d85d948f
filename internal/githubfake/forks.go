package githubfake

import (
	"net/http"
	"strings"
)

// OpenForkPR opens a pull request onto base from branch of forkOwner's fork,
// whose head commit is headSHA (made with CommitDetached: GitHub keeps a
// fork's pull request commits in the base repository too), and returns its
// number.
func (r *Repo) OpenForkPR(forkOwner, branch, headSHA, base, title string) int {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	r.mustResolve(headSHA)
	r.nextNumber++
	r.pulls = append(r.pulls, &PullRequest{Number: r.nextNumber, Head: branch, Base: base, Title: title, State: "open",
		HeadSHA: headSHA, HeadOwner: forkOwner})
	return r.nextNumber
}

// forkSide is the head of a fork's pull request as GitHub shows it.
func (f *Fake) forkSide(r *Repo, p *PullRequest) map[string]any {
	fork := f.repoJSON(r)
	fork["id"], fork["fork"] = r.ID+500000, true
	fork["full_name"] = p.HeadOwner + "/" + r.Name
	if o, ok := fork["owner"].(map[string]any); ok {
		cp := map[string]any{}
		for k, v := range o {
			cp[k] = v
		}
		cp["login"], cp["type"] = p.HeadOwner, "User"
		fork["owner"] = cp
	}
	return map[string]any{"label": p.HeadOwner + ":" + p.Head, "ref": p.Head, "sha": p.HeadSHA,
		"user": map[string]any{"login": p.HeadOwner, "type": "User"}, "repo": fork}
}

// reposPullsForCommit lists the pull requests whose head branch in this
// repository contains the commit. Like GitHub, it finds no pull request from
// a fork: the commit is not on a branch of the base repository.
func reposPullsForCommit(f *Fake, c *call) reply {
	sha, ok := c.repo.resolve(c.params["commit_sha"])
	if !ok || c.repo.objects[sha].commit == nil {
		return errReply(http.StatusUnprocessableEntity, "No commit found for SHA: "+c.params["commit_sha"])
	}
	out := []any{}
	for _, p := range c.repo.pulls {
		if p.HeadOwner != "" && !strings.EqualFold(p.HeadOwner, c.repo.Owner) {
			continue
		}
		head, ok := c.repo.refs["refs/heads/"+p.Head]
		if !ok || !c.repo.ancestors(head)[sha] {
			continue
		}
		if base, ok := c.repo.refs["refs/heads/"+p.Base]; ok && c.repo.ancestors(base)[sha] {
			continue
		}
		out = append(out, f.pullJSON(c.repo, p))
	}
	return f.paginate(c, out)
}
