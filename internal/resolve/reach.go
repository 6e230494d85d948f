package resolve

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"
)

// maxOtherBranches bounds the branches tried after the default branch.
const maxOtherBranches = 3

// maxTagCompares bounds the tags Contains compares against.
const maxTagCompares = 3

// Reachable returns a branch of owner/repo that contains commit sha: the
// default branch if it does, else up to three other branches (release-like
// names first). It returns ErrUnreachable when the commit exists but is on
// none of them, ErrNotFound when the repository or commit does not exist.
//
// Requests on a cold cache: one for the repository (default branch, once per
// repository) and one compare; an unreachable commit adds the branch list
// and up to three more compares.
func (r *Resolver) Reachable(ctx context.Context, owner, repo, sha string) (string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", err
	}
	if !isFullSHA(sha) {
		return "", fmt.Errorf("reachable %s/%s@%q: not a full commit SHA", owner, repo, sha)
	}
	defer r.share(ctx, owner, repo)
	return r.reach(ctx, owner, repo, strings.ToLower(sha), "")
}

// reach is Reachable with a hint: the ref being resolved, whose major
// version puts matching release branches (releases/v4) first.
func (r *Resolver) reach(ctx context.Context, owner, repo, sha, ref string) (string, error) {
	return cached(ctx, r.c, r.rkey(ctx, "reach", owner, repo, sha), func(ctx context.Context) (string, error) {
		def, err := r.defaultBranch(ctx, owner, repo)
		if err != nil {
			return "", err
		}
		on, exists, err := r.contains(ctx, owner, repo, def, sha)
		if err != nil || on {
			return def, err
		}
		names, err := r.otherBranches(ctx, owner, repo, def, ref)
		if err != nil {
			return "", err
		}
		for _, b := range names {
			on, ex, err := r.contains(ctx, owner, repo, b, sha)
			if err != nil || on {
				return b, err
			}
			exists = exists || ex
		}
		if !exists {
			return "", fmt.Errorf("commit %s/%s@%s: %w", owner, repo, sha, ErrNotFound)
		}
		return "", fmt.Errorf("commit %s/%s@%s: %w", owner, repo, sha, ErrUnreachable)
	})
}

// Contains reports whether commit sha is on a branch or tag of owner/repo:
// the impostor-commit check (any fork's commit can be fetched through its
// parent by SHA). It tries the branches as Reachable does, then tags
// pointing at it, then compares against the newest three version tags. It
// returns (false, nil) for a commit on none of them and ErrNotFound when
// the repository or commit does not exist.
func (r *Resolver) Contains(ctx context.Context, owner, repo, sha string) (bool, error) {
	if err := checkRepo(owner, repo); err != nil {
		return false, err
	}
	if !isFullSHA(sha) {
		return false, fmt.Errorf("contains %s/%s@%q: not a full commit SHA", owner, repo, sha)
	}
	defer r.share(ctx, owner, repo)
	sha = strings.ToLower(sha)
	return cached(ctx, r.c, r.rkey(ctx, "contains", owner, repo, sha), func(ctx context.Context) (bool, error) {
		_, err := r.reach(ctx, owner, repo, sha, "")
		if err == nil {
			return true, nil
		}
		missing := errors.Is(err, ErrNotFound)
		if !missing && !errors.Is(err, ErrUnreachable) {
			return false, err
		}
		tl, err := r.tagList(ctx, owner, repo)
		if err != nil {
			return false, err
		}
		for _, t := range tl.tags {
			if !t.annotated && t.sha == sha {
				return true, nil
			}
		}
		for _, name := range newestTags(tl, maxTagCompares) {
			on, ex, err := r.contains(ctx, owner, repo, name, sha)
			if err != nil || on {
				return on, err
			}
			missing = missing && !ex
		}
		if missing {
			return false, fmt.Errorf("commit %s/%s@%s: %w", owner, repo, sha, ErrNotFound)
		}
		return false, nil
	})
}

// contains compares base...sha: "behind" or "identical" means base contains
// sha. exists is false when GitHub does not know the commit relative to
// base (404: unknown commit, or no common history).
func (r *Resolver) contains(ctx context.Context, owner, repo, base, sha string) (on, exists bool, err error) {
	// One commit per page: only the status is needed, not the diff.
	cmp, _, err := r.gh.Repositories.CompareCommits(ctx, owner, repo, base, sha, &github.ListOptions{PerPage: 1})
	if err != nil {
		err = apiErr(err, "compare %s/%s %s...%s", owner, repo, base, sha)
		if errors.Is(err, ErrNotFound) {
			return false, false, nil
		}
		return false, false, err
	}
	switch cmp.GetStatus() {
	case "behind", "identical":
		return true, true, nil
	}
	return false, true, nil
}

// defaultBranch returns the repository's default branch, cached per
// repository. It also learns whether the repository is public, which lets
// every scope share what is cached about it.
func (r *Resolver) defaultBranch(ctx context.Context, owner, repo string) (string, error) {
	type info struct {
		branch string
		public bool
	}
	in, err := cached(ctx, r.c, r.rkey(ctx, "repo", owner, repo, ""), func(ctx context.Context) (info, error) {
		rp, _, err := r.gh.Repositories.Get(ctx, owner, repo)
		if err != nil {
			return info{}, apiErr(err, "repository %s/%s", owner, repo)
		}
		if rp.GetDefaultBranch() == "" {
			return info{}, fmt.Errorf("repository %s/%s is empty: %w", owner, repo, ErrNotFound)
		}
		return info{branch: rp.GetDefaultBranch(), public: rp.Private != nil && !rp.GetPrivate()}, nil
	})
	if err == nil && in.public {
		r.markPublic(ctx, repoKey(owner, repo))
	}
	return in.branch, err
}

// otherBranches picks at most maxOtherBranches branches besides def from
// the first page of the branch list, those named like a release of ref's
// major version first (releases/v4, v4), then other release-like names.
func (r *Resolver) otherBranches(ctx context.Context, owner, repo, def, ref string) ([]string, error) {
	all, err := cached(ctx, r.c, r.rkey(ctx, "branches", owner, repo, ""), func(ctx context.Context) ([]string, error) {
		bs, _, err := r.gh.Repositories.ListBranches(ctx, owner, repo, &github.BranchListOptions{ListOptions: github.ListOptions{PerPage: 100}})
		if err != nil {
			return nil, apiErr(err, "branches of %s/%s", owner, repo)
		}
		names := make([]string, 0, len(bs))
		for _, b := range bs {
			names = append(names, b.GetName())
		}
		return names, nil
	})
	if err != nil {
		return nil, err
	}
	major := ""
	if v := parseVersion(ref); v.ok {
		major = fmt.Sprint(v.major())
	}
	score := func(b string) int {
		last := b[strings.LastIndex(b, "/")+1:]
		switch {
		case major != "" && parseVersion(last).ok && fmt.Sprint(parseVersion(last).major()) == major:
			return 0
		case strings.Contains(b, "release") || parseVersion(last).ok:
			return 1
		case b == "main" || b == "master" || b == "develop":
			return 2
		}
		return 3
	}
	var out []string
	for _, b := range all {
		if b != def {
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return score(out[i]) < score(out[j]) })
	if len(out) > maxOtherBranches {
		out = out[:maxOtherBranches]
	}
	return out, nil
}

// newestTags returns the names of the n highest version tags.
func newestTags(tl *tagList, n int) []string {
	var vs []tagRef
	for _, t := range tl.tags {
		if t.ver.ok {
			vs = append(vs, t)
		}
	}
	sort.Slice(vs, func(i, j int) bool {
		a, b := vs[i].ver.nums, vs[j].ver.nums
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return vs[i].name < vs[j].name
	})
	var out []string
	for _, t := range vs[:min(n, len(vs))] {
		out = append(out, t.name)
	}
	return out
}
