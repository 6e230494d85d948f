package resolve

import (
	"context"
	"strings"
)

type scopeKey struct{}

// WithScope says that requests made with ctx act for one credential, such
// as one installation of the App. What the resolver learns about a
// repository that is not known to be public is cached for that scope only,
// so one installation's view of a private action repository is never
// served to another; answers about public repositories are shared by all.
func WithScope(ctx context.Context, scope string) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope)
}

func scopeOf(ctx context.Context) string {
	s, _ := ctx.Value(scopeKey{}).(string)
	return s
}

// rkey is the cache key of a repository for ctx: shared when the
// repository is public or the resolver is unscoped, per scope otherwise.
func (r *Resolver) rkey(ctx context.Context, owner, repo string) string {
	k := repoKey(owner, repo)
	s := scopeOf(ctx)
	if s == "" || r.isPublic(k) {
		return k
	}
	return s + "|" + k
}

func (r *Resolver) isPublic(k string) bool {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	return r.public[k]
}

// markPublic records that a repository is public and shares what the
// scope that found out has cached about it.
func (r *Resolver) markPublic(ctx context.Context, k string) {
	r.pubMu.Lock()
	already := r.public[k]
	r.public[k] = true
	r.pubMu.Unlock()
	if s := scopeOf(ctx); s != "" && !already {
		r.c.promote(s+"|"+k, k)
	}
}

// share makes what a scope cached about a public repository available to
// every scope; it runs when an exported lookup returns, after its own
// answer is stored.
func (r *Resolver) share(ctx context.Context, owner, repo string) {
	k := repoKey(owner, repo)
	s := scopeOf(ctx)
	if s == "" || !r.isPublic(k) {
		return
	}
	r.pubMu.Lock()
	done := r.shared[s+"|"+k]
	r.shared[s+"|"+k] = true
	r.pubMu.Unlock()
	if !done { // later lookups use the shared keys
		r.c.promote(s+"|"+k, k)
	}
}

// promote copies the entries whose key names the repository segment from
// to the same key naming to.
func (c *cache) promote(from, to string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, e := range c.m {
		i := strings.Index(key, from)
		if i < 0 {
			continue
		}
		rest := key[i+len(from):]
		if rest != "" && rest[0] != '@' && rest[0] != ':' {
			continue // another repository whose name starts the same
		}
		shared := key[:i] + to + rest
		if _, ok := c.m[shared]; !ok {
			c.m[shared] = e
		}
	}
}
