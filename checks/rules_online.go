package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// Resolver answers the questions the online rules ask the GitHub API.
type Resolver interface {
	// Contains reports whether a branch or tag of owner/repo contains sha.
	Contains(ctx context.Context, owner, repo, sha string) (bool, error)
	// TagsAt lists the tags that point at sha.
	TagsAt(ctx context.Context, owner, repo, sha string) ([]string, error)
}

// Online returns the checks that need the GitHub API.
func Online(r Resolver) []Check {
	return []Check{impostorCommit{r}, refVersionMismatch{r}}
}

type pinnedUse struct {
	f *workflow.File
	v *workflow.Value
	u Uses
}

func pinnedUses(snap *repo.Snapshot) []pinnedUse {
	var out []pinnedUse
	for _, f := range Load(snap).Files {
		for _, v := range f.Uses() {
			if u, ok := ParseUses(v.Value); ok && !u.Local && !u.Docker && IsSHA(u.Ref) {
				out = append(out, pinnedUse{f, v, u})
			}
		}
	}
	return out
}

type impostorCommit struct{ r Resolver }

func (impostorCommit) ID() string { return RuleImpostorCommit }

func (c impostorCommit) Run(ctx context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	var errs []error
	for _, p := range pinnedUses(snap) {
		ok, err := c.r.Contains(ctx, p.u.Owner, p.u.Repo, p.u.Ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.v.Value, err))
			continue
		}
		if !ok {
			out = append(out, Finding{Rule: RuleImpostorCommit, Severity: High, Confidence: ConfidenceHigh,
				Message: fmt.Sprintf("%s is on no branch or tag of %s/%s: it may be a fork's commit fetched through the "+
					"parent repository", p.u.Ref, p.u.Owner, p.u.Repo),
				Primary: loc(p.f, p.v), Subject: p.v.Value})
		}
	}
	return out, errors.Join(errs...)
}

type refVersionMismatch struct{ r Resolver }

func (refVersionMismatch) ID() string { return RuleRefVersionMismatch }

func (c refVersionMismatch) Run(ctx context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	var errs []error
	for _, p := range pinnedUses(snap) {
		want := versionComment(p.f, p.v)
		if want == "" {
			continue
		}
		tags, err := c.r.TagsAt(ctx, p.u.Owner, p.u.Repo, p.u.Ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.v.Value, err))
			continue
		}
		if contains(tags, want) {
			continue
		}
		msg := fmt.Sprintf("comment says %s but %s is not that tag's commit", want, p.u.Ref[:12])
		if len(tags) > 0 {
			msg += " (it is " + strings.Join(tags, ", ") + ")"
		}
		l := loc(p.f, p.v)
		if i := strings.Index(string(p.f.Source.Src[p.v.End:]), want); p.v.End >= 0 && i >= 0 {
			l = locAt(p.f, p.v.End+i, p.v.End+i+len(want))
		}
		out = append(out, Finding{Rule: RuleRefVersionMismatch, Severity: Low, Confidence: ConfidenceHigh, Message: msg,
			Primary: l, Subject: p.v.Value})
	}
	return out, errors.Join(errs...)
}
