package resolve

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"
)

// tagRef is one entry of a repository's tag list.
type tagRef struct {
	name string
	// sha is the commit for a lightweight tag, the tag object for an
	// annotated one (which must be dereferenced: pinning a tag object SHA
	// is the bug that broke Sentry's and Nx's workflows).
	sha       string
	annotated bool
	ver       version
}

type tagList struct {
	tags   []tagRef
	byName map[string]tagRef
	// truncated is set when the list was cut at maxPages; a tag missing from
	// it may still exist and is then looked up directly.
	truncated bool
}

// tagList fetches every tag of the repository once (git/matching-refs/tags/,
// 100 per page) and caches it per repository.
func (r *Resolver) tagList(ctx context.Context, owner, repo string) (*tagList, error) {
	return cached(ctx, r.c, r.rkey(ctx, "tags", owner, repo, ""), func(ctx context.Context) (*tagList, error) {
		tl := &tagList{byName: map[string]tagRef{}}
		opts := &github.ReferenceListOptions{Ref: "tags/", ListOptions: github.ListOptions{PerPage: 100}}
		for page := 0; ; page++ {
			if page == r.maxPages {
				tl.truncated = true
				break
			}
			refs, resp, err := r.gh.Git.ListMatchingRefs(ctx, owner, repo, opts)
			if err != nil {
				return nil, apiErr(err, "tags of %s/%s", owner, repo)
			}
			for _, ref := range refs {
				if t, ok := toTagRef(ref); ok {
					tl.tags = append(tl.tags, t)
					tl.byName[t.name] = t
				}
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		return tl, nil
	})
}

func toTagRef(ref *github.Reference) (tagRef, bool) {
	name, ok := strings.CutPrefix(ref.GetRef(), "refs/tags/")
	obj := ref.GetObject()
	if !ok || name == "" || obj == nil {
		return tagRef{}, false
	}
	t := tagRef{name: name, sha: strings.ToLower(obj.GetSHA()), ver: parseVersion(name)}
	switch obj.GetType() {
	case "commit":
	case "tag":
		t.annotated = true
	default:
		return tagRef{}, false // a tag of a tree or blob is never an action
	}
	return t, true
}

// tagCommit returns the commit the tag name points at.
func (r *Resolver) tagCommit(ctx context.Context, owner, repo string, tl *tagList, name string) (string, error) {
	t, ok := tl.byName[name]
	if !ok {
		if !tl.truncated {
			return "", fmt.Errorf("tag %s/%s@%s: %w", owner, repo, name, ErrNotFound)
		}
		ref, _, err := r.gh.Git.GetRef(ctx, owner, repo, "tags/"+name)
		if err != nil {
			return "", apiErr(err, "tag %s/%s@%s", owner, repo, name)
		}
		if t, ok = toTagRef(ref); !ok {
			return "", fmt.Errorf("tag %s/%s@%s: not a commit: %w", owner, repo, name, ErrNotFound)
		}
	}
	return r.peel(ctx, owner, repo, t)
}

// peel dereferences an annotated tag (through chains of tags of tags) to
// its commit. Tag objects are immutable, so the answer is cached.
func (r *Resolver) peel(ctx context.Context, owner, repo string, t tagRef) (string, error) {
	if !t.annotated {
		return t.sha, nil
	}
	return cached(ctx, r.c, r.rkey(ctx, "peel", owner, repo, t.sha), func(ctx context.Context) (string, error) {
		sha := t.sha
		for range 8 {
			tag, _, err := r.gh.Git.GetTag(ctx, owner, repo, sha)
			if err != nil {
				return "", apiErr(err, "tag object %s/%s %s (%s)", owner, repo, sha, t.name)
			}
			obj := tag.GetObject()
			switch obj.GetType() {
			case "commit":
				return strings.ToLower(obj.GetSHA()), nil
			case "tag":
				sha = obj.GetSHA()
			default:
				return "", fmt.Errorf("tag %s/%s@%s points at a %s: %w", owner, repo, t.name, obj.GetType(), ErrNotFound)
			}
		}
		return "", fmt.Errorf("tag %s/%s@%s: tag chain too deep", owner, repo, t.name)
	})
}

// TagsAt returns every tag of owner/repo that points at commit sha, most
// specific first (v4.2.2, v4.2, v4; stable before pre-release).
//
// Lightweight tags cost nothing beyond the cached tag list. Annotated tags
// are dereferenced lazily: only those in the same major series as a tag
// already known to match; without such a hint, newest first and at most
// maxDerefs (20) of them.
func (r *Resolver) TagsAt(ctx context.Context, owner, repo, sha string) ([]string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if !isFullSHA(sha) {
		return nil, fmt.Errorf("tags of %s/%s at %q: not a full commit SHA", owner, repo, sha)
	}
	defer r.share(ctx, owner, repo)
	sha = strings.ToLower(sha)
	return cached(ctx, r.c, r.rkey(ctx, "at", owner, repo, sha), func(ctx context.Context) ([]string, error) {
		tl, err := r.tagList(ctx, owner, repo)
		if err != nil {
			return nil, err
		}
		return r.tagsAt(ctx, owner, repo, tl, sha, "", nil, false)
	})
}

// tagsAt finds the tags pointing at sha, ranked. ref (the ref being
// resolved, may be "") gives the preferred major series and prefix style;
// known are tags already known to point at sha. With first set it stops at
// the best one.
func (r *Resolver) tagsAt(ctx context.Context, owner, repo string, tl *tagList, sha, ref string, known []string, first bool) ([]string, error) {
	style := parseVersion(ref)
	majors := map[int]bool{}
	if style.ok {
		majors[style.major()] = true
	}
	hits := map[string]bool{}
	for _, n := range known {
		hits[n] = true
	}
	for _, t := range tl.tags {
		if !t.annotated && t.sha == sha {
			hits[t.name] = true
		}
	}
	for n := range hits {
		if v := parseVersion(n); v.ok {
			majors[v.major()] = true
		}
	}
	hinted := len(majors) > 0

	cands := make([]tagRef, 0, len(tl.tags))
	for _, t := range tl.tags {
		if hits[t.name] || t.annotated && (!hinted || t.ver.ok && majors[t.ver.major()]) {
			cands = append(cands, t)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return better(cands[i], cands[j], style) })

	var out []string
	derefs := 0
	for _, t := range cands {
		if !hits[t.name] {
			if !hinted && derefs == r.maxDerefs {
				continue
			}
			if hinted && !(t.ver.ok && majors[t.ver.major()]) {
				continue // outside the series learnt during this loop
			}
			derefs++
			got, err := r.peel(ctx, owner, repo, t)
			if err != nil && !cacheable(err) {
				return nil, err
			}
			if err != nil || got != sha {
				continue
			}
			if !hinted && t.ver.ok {
				hinted, majors[t.ver.major()] = true, true
			}
		}
		out = append(out, t.name)
		if first {
			break
		}
	}
	return out, nil
}
