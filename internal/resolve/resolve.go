// Package resolve turns GitHub Actions refs (tags, branches, SHAs) into
// verified commit SHAs over the REST API: annotated tags are dereferenced to
// their commit, the most specific tag at the commit is found for the version
// comment, and the commit must be reachable from a branch of the upstream
// repository (a tag pointing at a commit on no branch is how a retagged or
// impostor commit looks).
//
// One Resolver is meant to serve the whole process: it caches answers across
// repositories and collapses concurrent identical lookups into one request.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// Sentinel errors; test with errors.Is. Rate-limit errors from go-github
// (*github.RateLimitError, *github.AbuseRateLimitError) are wrapped with %w,
// so errors.As finds them and callers can back off.
var (
	// ErrNotFound means the repository, ref or commit does not exist (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrUnreachable means the commit exists but is on no branch of the
	// repository: a retagged or impostor commit, which must not be pinned.
	ErrUnreachable = errors.New("commit is not on any branch of the repository")
)

// Pin is a resolved action ref.
type Pin struct {
	Owner, Repo string
	// Ref is the ref as asked for (tag, branch or SHA).
	Ref string
	// SHA is the full commit SHA (never a tag object SHA).
	SHA string
	// Tag is the most specific tag pointing at SHA (e.g. v4.2.2 for v4),
	// or "" if no tag points at it.
	Tag string
	// Branch is a branch of the repository that contains SHA.
	Branch string
}

// Resolver resolves action refs. It is safe for concurrent use.
type Resolver struct {
	gh        *github.Client
	c         *cache
	maxDerefs int
	maxPages  int

	pubMu  sync.Mutex
	public map[string]bool // repository keys known to be public
	shared map[repoID]bool // scoped repositories whose entries were shared
}

// New returns a Resolver that uses gh for every request. Answers are
// cached for 10 minutes (tags like v4 move on every release, so a
// long-running process must forget them).
func New(gh *github.Client) *Resolver {
	return &Resolver{gh: gh, c: newCache(10*time.Minute, time.Minute), maxDerefs: 20, maxPages: 20,
		public: map[string]bool{}, shared: map[repoID]bool{}}
}

// NewClient returns a go-github client for apiURL (GITHUB_API_URL; empty
// means https://api.github.com) authenticated with token when not empty.
// Any other URL is treated as GitHub Enterprise Server (https://HOST/api/v3).
func NewClient(apiURL, token string, httpClient *http.Client) (*github.Client, error) {
	gh := github.NewClient(httpClient)
	if token != "" {
		gh = gh.WithAuthToken(token)
	}
	apiURL = strings.TrimRight(apiURL, "/")
	if apiURL == "" || apiURL == "https://api.github.com" {
		return gh, nil
	}
	upload := apiURL
	if base, ok := strings.CutSuffix(apiURL, "/api/v3"); ok {
		upload = base + "/api/uploads"
	}
	return gh.WithEnterpriseURLs(apiURL+"/", upload+"/")
}

// Resolve resolves ref (a tag, branch or full commit SHA; a short SHA is
// expanded) of owner/repo to a commit reachable from a branch. When the
// commit is on no branch it returns the Pin (with SHA) and ErrUnreachable.
//
// Requests on a cold cache, for a tag: the repository's tag list (one per
// 100 tags, shared by every ref of the repository), one per annotated tag
// level dereferenced, the repository (default branch, once per repository)
// and one compare. A branch costs the tag list and one ref lookup.
func (r *Resolver) Resolve(ctx context.Context, owner, repo, ref string) (Pin, error) {
	if err := checkRepo(owner, repo); err != nil {
		return Pin{}, err
	}
	if ref == "" {
		return Pin{}, fmt.Errorf("resolve %s/%s: empty ref", owner, repo)
	}
	defer r.share(ctx, owner, repo)
	return cached(ctx, r.c, r.rkey(ctx, "pin", owner, repo, ref), func(ctx context.Context) (Pin, error) {
		return r.resolve(ctx, owner, repo, ref)
	})
}

func (r *Resolver) resolve(ctx context.Context, owner, repo, ref string) (Pin, error) {
	pin := Pin{Owner: owner, Repo: repo, Ref: ref}
	tags, err := r.tagList(ctx, owner, repo)
	if err != nil {
		return pin, err
	}
	name, onlyTag, onlyBranch := ref, false, false
	if n, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		name, onlyTag = n, true
	} else if n, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		name, onlyBranch = n, true
	}
	var known []string // tags known to point at the commit
	switch {
	case !onlyTag && !onlyBranch && isFullSHA(ref):
		pin.SHA = strings.ToLower(ref)
	case !onlyBranch:
		// Git prefers a tag over a branch of the same name, and so do we.
		sha, err := r.tagCommit(ctx, owner, repo, tags, name)
		if err == nil {
			pin.SHA, known = sha, []string{name}
			break
		}
		if onlyTag || !errors.Is(err, ErrNotFound) {
			return pin, err
		}
		fallthrough
	default:
		sha, err := r.branchHead(ctx, owner, repo, name)
		switch {
		case err == nil:
			// A branch head is on its branch by definition.
			pin.SHA, pin.Branch = sha, name
		case errors.Is(err, ErrNotFound) && !onlyBranch && isShortSHA(name):
			if pin.SHA, err = r.expandSHA(ctx, owner, repo, name); err != nil {
				return pin, err
			}
		default:
			return pin, err
		}
	}
	if pin.Branch == "" {
		b, err := r.reach(ctx, owner, repo, pin.SHA, name)
		if err != nil {
			return pin, err
		}
		pin.Branch = b
	}
	found, err := r.tagsAt(ctx, owner, repo, tags, pin.SHA, name, known, true)
	if err != nil {
		return pin, err
	}
	if len(found) > 0 {
		pin.Tag = found[0]
	}
	return pin, nil
}

// branchHead returns the commit at the head of branch.
func (r *Resolver) branchHead(ctx context.Context, owner, repo, branch string) (string, error) {
	return cached(ctx, r.c, r.rkey(ctx, "head", owner, repo, branch), func(ctx context.Context) (string, error) {
		ref, _, err := r.gh.Git.GetRef(ctx, owner, repo, "heads/"+branch)
		if err != nil {
			return "", apiErr(err, "branch %s/%s@%s", owner, repo, branch)
		}
		return strings.ToLower(ref.GetObject().GetSHA()), nil
	})
}

// expandSHA turns a short SHA into the full commit SHA.
func (r *Resolver) expandSHA(ctx context.Context, owner, repo, short string) (string, error) {
	sha, resp, err := r.gh.Repositories.GetCommitSHA1(ctx, owner, repo, short, "")
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
			return "", fmt.Errorf("commit %s/%s@%s is ambiguous or invalid: %w", owner, repo, short, ErrNotFound)
		}
		return "", apiErr(err, "commit %s/%s@%s", owner, repo, short)
	}
	sha = strings.ToLower(strings.TrimSpace(sha))
	if !isFullSHA(sha) {
		return "", fmt.Errorf("commit %s/%s@%s: unexpected answer %q", owner, repo, short, sha)
	}
	return sha, nil
}

// apiErr maps a go-github error: 404 becomes ErrNotFound; anything else
// (network, 5xx, rate limits) is wrapped so errors.As still finds it.
func apiErr(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func checkRepo(owner, repo string) error {
	if owner == "" || repo == "" || strings.ContainsAny(owner+repo, "/ ") {
		return fmt.Errorf("resolve: invalid repository %q/%q", owner, repo)
	}
	return nil
}

// repoKey is case-insensitive like GitHub's owner and repository names.
func repoKey(owner, repo string) string { return strings.ToLower(owner + "/" + repo) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isFullSHA(s string) bool  { return len(s) == 40 && isHex(s) }
func isShortSHA(s string) bool { return len(s) >= 7 && len(s) < 40 && isHex(s) }
