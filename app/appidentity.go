package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-github/v62/github"
)

// appIdentity is the App as GitHub knows it: its ID, to which its check
// runs belong and required status checks are bound, and its slug, whose
// bot account authors its commits.
type appIdentity struct {
	ID   int64
	Slug string
}

// BotLogin is the account of the App's commits and pull requests.
func (a appIdentity) BotLogin() string { return a.Slug + "[bot]" }

// webFlow is the account GitHub commits as when it signs for someone (the
// committer of web edits and of commits made through the GraphQL API).
const webFlow = "web-flow"

// appClients is what Clients offer when they can authenticate as the App
// itself (*ghclient.Clients does).
type appClients interface {
	App(ctx context.Context) *github.Client
}

// identityCache holds the App's identity once GET /app answered.
type identityCache struct {
	mu sync.Mutex
	id *appIdentity
}

// identity is the App's identity, read once per Worker with GET /app. An
// App that cannot learn who it is cannot tell its check runs and commits
// from anyone else's, so this is an error, never a guess.
func (w *Worker) identity(ctx context.Context) (appIdentity, error) {
	w.ident.mu.Lock()
	defer w.ident.mu.Unlock()
	if w.ident.id != nil {
		return *w.ident.id, nil
	}
	ac, ok := w.clients.(appClients)
	if !ok {
		return appIdentity{}, errors.New("the App's identity is unknown: its clients cannot authenticate as the App")
	}
	a, _, err := ac.App(ctx).Apps.Get(ctx, "")
	if err != nil {
		return appIdentity{}, fmt.Errorf("read the App's identity (GET /app): %w", err)
	}
	if a.GetID() == 0 || a.GetSlug() == "" {
		return appIdentity{}, errors.New("read the App's identity (GET /app): no id or slug in the answer")
	}
	w.ident.id = &appIdentity{ID: a.GetID(), Slug: a.GetSlug()}
	return *w.ident.id, nil
}

// ours reports whether a commit was made by the App: GitHub verified its
// signature, and the accounts GitHub matched to its author and committer
// are the App's bot (or GitHub itself committing for it). Names and
// e-mail addresses in the commit prove nothing: anyone can write them.
func ours(c *github.RepositoryCommit, bot string) bool {
	if !c.GetCommit().GetVerification().GetVerified() {
		return false
	}
	committer := c.GetCommitter().GetLogin()
	return strings.EqualFold(c.GetAuthor().GetLogin(), bot) &&
		(strings.EqualFold(committer, bot) || committer == webFlow)
}
