package resolve

import (
	"context"
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

// rkey is the cache key of a lookup about a repository for ctx: shared
// when the repository is public or the resolver is unscoped, per scope
// otherwise.
func (r *Resolver) rkey(ctx context.Context, kind, owner, repo, arg string) key {
	id := repoID{name: repoKey(owner, repo)}
	if s := scopeOf(ctx); s != "" && !r.isPublic(id.name) {
		id.scope = s
	}
	return key{kind: kind, repo: id, arg: arg}
}

func (r *Resolver) isPublic(name string) bool {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	return r.public[name]
}

// markPublic records that a repository is public and shares what the
// scope that found out has cached about it.
func (r *Resolver) markPublic(ctx context.Context, name string) {
	r.pubMu.Lock()
	already := r.public[name]
	r.public[name] = true
	r.pubMu.Unlock()
	if s := scopeOf(ctx); s != "" && !already {
		r.c.promote(repoID{scope: s, name: name}, repoID{name: name})
	}
}

// share makes what a scope cached about a public repository available to
// every scope; it runs when an exported lookup returns, after its own
// answer is stored.
func (r *Resolver) share(ctx context.Context, owner, repo string) {
	name := repoKey(owner, repo)
	s := scopeOf(ctx)
	if s == "" || !r.isPublic(name) {
		return
	}
	from := repoID{scope: s, name: name}
	r.pubMu.Lock()
	done := r.shared[from]
	r.shared[from] = true
	r.pubMu.Unlock()
	if !done { // later lookups use the shared keys
		r.c.promote(from, repoID{name: name})
	}
}
