// Package remediations turns a snapshot of a repository into file changes
// that fix findings, each with an explanation for the pull request. A
// remediation is a pure transform: it never changes anything on GitHub.
package remediations

import (
	"context"
	"errors"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/resolve"
)

// Change is one file's new content. Before is nil for a new file.
type Change struct {
	Path   string
	Before []byte
	After  []byte
}

// Note is something a remediation did not change and reports for review:
// an unresolvable ref, a reusable workflow left on its tag, a job whose
// permission needs are unknown.
type Note struct {
	File    string
	Line    int
	Message string
}

// Result is what one remediation produced.
type Result struct {
	ID      string
	Changes []Change
	// Explanation is Markdown for the pull request (what, why, how to undo,
	// documentation link), rendered from templates/.
	Explanation string
	// Notes are left for the maintainer.
	Notes []Note
	// Fixed are the fingerprints (checks.Finding.Fingerprint) of the
	// findings the changes fix, one per finding: two identical lines fixed
	// give the same fingerprint twice.
	Fixed []string
	// Title is the one-line summary used as the commit message.
	Title string
}

// ErrNothingToFix is returned by a remediation that has no change to make.
var ErrNothingToFix = errors.New("nothing to fix")

// ImageResolver returns the multi-platform index digest ("sha256:…") of
// an image tag; internal/registry implements it.
type ImageResolver interface {
	Digest(ctx context.Context, image string) (string, error)
}

// Env is what a remediation may use.
type Env struct {
	Snapshot *repo.Snapshot
	Config   config.Config
	// Findings of a scan of Snapshot; remediations fix the ones they own.
	Findings []checks.Finding
	// Resolver resolves action refs to verified commits; nil means
	// offline: pin-actions reports instead of pinning.
	Resolver *resolve.Resolver
	// Images resolves image digests; nil means offline.
	Images ImageResolver
	// Exempt are extra `--exempt` globs on owner/repo[/path].
	Exempt []string
	// DefaultTokenPermissions is the repository's default GITHUB_TOKEN
	// access, "read" or "write" (the CLI assumes write).
	DefaultTokenPermissions string
	// OrgSecurityPolicy is set when the organisation's .github repository
	// has a security policy (App mode).
	OrgSecurityPolicy bool
}

// Exempted reports whether config or --exempt leaves a subject alone.
func (e *Env) Exempted(subject string) bool {
	return e.Config.Exempt(subject) || config.MatchExempt(e.Exempt, subject)
}

// Remediation is one fixer.
type Remediation interface {
	ID() string
	// Apply returns the changes, or ErrNothingToFix.
	Apply(ctx context.Context, env *Env) (*Result, error)
}

// Networked is a Remediation that reaches the network; Network says what
// it reaches, for `fix` to announce and `fix --offline` to skip.
type Networked interface {
	Network() string
}
