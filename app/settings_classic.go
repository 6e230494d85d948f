package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
)

// getClassic reads the classic protection of the default branch; nil
// without error when the branch is not protected.
func (w *Worker) getClassic(ctx context.Context, gh *github.Client, ri repoInfo) (*github.Protection, error) {
	p, _, err := gh.Repositories.GetBranchProtection(ctx, ri.owner, ri.name, ri.defaultBranch)
	if errors.Is(err, github.ErrBranchNotProtected) {
		return nil, nil
	}
	if err != nil {
		if _, _, refused := refusal(err); refused {
			return nil, err
		}
		return nil, fmt.Errorf("branch protection of %s: %w", ri.defaultBranch, err)
	}
	return p, nil
}

func (s *bpState) addClassic(p *github.Protection) {
	if r := p.RequiredPullRequestReviews; r != nil {
		s.pr, s.approvals = true, max(s.approvals, r.RequiredApprovingReviewCount)
		s.dismissStale, s.codeOwners = s.dismissStale || r.DismissStaleReviews, s.codeOwners || r.RequireCodeOwnerReviews
	}
	if c := p.RequiredStatusChecks; c != nil {
		if c.Contexts != nil {
			for _, x := range *c.Contexts {
				s.checks[x] = true
			}
		}
		if c.Checks != nil {
			for _, x := range *c.Checks {
				s.checks[x.Context] = true
			}
		}
	}
	s.signatures = s.signatures || p.RequiredSignatures != nil && p.RequiredSignatures.GetEnabled()
	// A protected branch refuses force pushes and deletion unless allowed.
	s.noForcePush = s.noForcePush || p.AllowForcePushes == nil || !p.AllowForcePushes.Enabled
	s.noDeletion = s.noDeletion || p.AllowDeletions == nil || !p.AllowDeletions.Enabled
}

// applyClassic merges bp into the branch's classic protection and writes
// the whole of it back: a PUT replaces everything, so every existing
// setting (required checks, restrictions, admins) is carried over and
// only made stricter.
func (w *Worker) applyClassic(ctx context.Context, gh *github.Client, ri repoInfo, bp config.BranchProtectionConfig, p *github.Protection, readErr error, gaps []gap, so *settingsOutcome) error {
	logger := LoggerFrom(ctx)
	b := ri.defaultBranch
	if readErr != nil {
		return classicRefused(ctx, readErr, b, so)
	}
	req := mergeClassic(p, bp)
	if _, _, err := gh.Repositories.UpdateBranchProtection(ctx, ri.owner, ri.name, b, req); err != nil {
		return classicRefused(ctx, err, b, so)
	}
	if bp.RequireSignedCommits && (p == nil || p.RequiredSignatures == nil || !p.RequiredSignatures.GetEnabled()) {
		if _, _, err := gh.Repositories.RequireSignaturesOnProtectedBranch(ctx, ri.owner, ri.name, b); err != nil {
			return classicRefused(ctx, err, b, so)
		}
	}
	logger.Info("classic branch protection written", "branch", b, "gaps", gapText(gaps))
	how := "Protected"
	if p != nil {
		how = "Extended the existing classic protection of"
	}
	so.add("bp:classic:"+gapText(gaps), fmt.Sprintf("%s `%s` with classic branch protection from `%s` (repository rulesets are not available here), keeping every existing setting. It was missing: %s.",
		how, b, config.File, gapText(gaps)), true)
	return nil
}

func classicRefused(ctx context.Context, err error, branch string, so *settingsOutcome) error {
	status, msg, ok := refusal(err)
	if !ok {
		return fmt.Errorf("branch protection of %s: %w", branch, err)
	}
	LoggerFrom(ctx).Warn("classic branch protection refused", "status", status, "err", msg)
	switch {
	case needsPlan(msg):
		so.add("bp:plan", "Branch protection could not be applied: GitHub offers neither rulesets nor branch protection for this private repository on its current plan ("+msg+").", true)
	case status == http.StatusForbidden || status == http.StatusNotFound:
		so.add("bp:forbidden", "Branch protection could not be applied: "+adminHint+".", true)
	default:
		so.add("bp:refused", "GitHub refused the branch protection: "+msg, true)
	}
	return nil
}

// mergeClassic is the existing protection p (nil: none) made at least as
// strict as bp, in the shape of the PUT request.
func mergeClassic(p *github.Protection, bp config.BranchProtectionConfig) *github.ProtectionRequest {
	if p == nil {
		p = &github.Protection{}
	}
	req := &github.ProtectionRequest{EnforceAdmins: p.EnforceAdmins != nil && p.EnforceAdmins.Enabled}
	// Status checks: keep the maintainers' list (and the app each check
	// must come from), add ours. The PUT takes `contexts` or `checks`, not
	// both: checks only when one is bound to an app.
	var names []string
	var checks []*github.RequiredStatusCheck
	seen := map[string]bool{}
	bound := false
	rsc := p.RequiredStatusChecks
	if rsc != nil {
		if rsc.Checks != nil {
			for _, c := range *rsc.Checks {
				if !seen[c.Context] {
					seen[c.Context] = true
					names = append(names, c.Context)
					checks = append(checks, &github.RequiredStatusCheck{Context: c.Context, AppID: c.AppID})
					bound = bound || c.AppID != nil && *c.AppID != -1
				}
			}
		}
		if rsc.Contexts != nil {
			for _, c := range *rsc.Contexts {
				if !seen[c] {
					seen[c] = true
					names = append(names, c)
					checks = append(checks, &github.RequiredStatusCheck{Context: c})
				}
			}
		}
	}
	for _, c := range bp.RequiredStatusChecks {
		if !seen[c] {
			seen[c] = true
			names = append(names, c)
			checks = append(checks, &github.RequiredStatusCheck{Context: c})
		}
	}
	if rsc != nil || len(names) > 0 {
		out := &github.RequiredStatusChecks{Strict: rsc != nil && rsc.Strict}
		if bound {
			out.Checks = &checks
		} else {
			if names == nil {
				names = []string{}
			}
			out.Contexts = &names
		}
		req.RequiredStatusChecks = out
	}
	// Reviews: always required, never weaker than today.
	rv := &github.PullRequestReviewsEnforcementRequest{
		RequiredApprovingReviewCount: bp.RequiredApprovals,
		DismissStaleReviews:          bp.DismissStaleReviews,
		RequireCodeOwnerReviews:      bp.RequireCodeOwnerReview,
	}
	if r := p.RequiredPullRequestReviews; r != nil {
		rv.RequiredApprovingReviewCount = max(rv.RequiredApprovingReviewCount, r.RequiredApprovingReviewCount)
		rv.DismissStaleReviews = rv.DismissStaleReviews || r.DismissStaleReviews
		rv.RequireCodeOwnerReviews = rv.RequireCodeOwnerReviews || r.RequireCodeOwnerReviews
		if r.RequireLastPushApproval {
			rv.RequireLastPushApproval = github.Bool(true)
		}
		if d := r.DismissalRestrictions; d != nil {
			u, t, a := actorNames(d.Users, d.Teams, d.Apps)
			rv.DismissalRestrictionsRequest = &github.DismissalRestrictionsRequest{Users: &u, Teams: &t, Apps: &a}
		}
		if d := r.BypassPullRequestAllowances; d != nil {
			u, t, a := actorNames(d.Users, d.Teams, d.Apps)
			rv.BypassPullRequestAllowancesRequest = &github.BypassPullRequestAllowancesRequest{Users: u, Teams: t, Apps: a}
		}
	}
	req.RequiredPullRequestReviews = rv
	if r := p.Restrictions; r != nil {
		u, t, a := actorNames(r.Users, r.Teams, r.Apps)
		req.Restrictions = &github.BranchRestrictionsRequest{Users: u, Teams: t, Apps: a}
	}
	enabled := func(v bool) *bool { return github.Bool(v) }
	if p.RequireLinearHistory != nil {
		req.RequireLinearHistory = enabled(p.RequireLinearHistory.Enabled)
	}
	forcePush := p.AllowForcePushes != nil && p.AllowForcePushes.Enabled
	req.AllowForcePushes = enabled(forcePush && !bp.BlockForcePushes)
	req.AllowDeletions = enabled(false)
	if p.RequiredConversationResolution != nil {
		req.RequiredConversationResolution = enabled(p.RequiredConversationResolution.Enabled)
	}
	if p.BlockCreations != nil && p.BlockCreations.Enabled != nil {
		req.BlockCreations = enabled(*p.BlockCreations.Enabled)
	}
	if p.LockBranch != nil && p.LockBranch.Enabled != nil {
		req.LockBranch = enabled(*p.LockBranch.Enabled)
	}
	if p.AllowForkSyncing != nil && p.AllowForkSyncing.Enabled != nil {
		req.AllowForkSyncing = enabled(*p.AllowForkSyncing.Enabled)
	}
	return req
}

// actorNames turns the actors GitHub returns into the logins and slugs the
// PUT takes.
func actorNames(users []*github.User, teams []*github.Team, apps []*github.App) (u, t, a []string) {
	u, t, a = []string{}, []string{}, []string{}
	for _, x := range users {
		u = append(u, x.GetLogin())
	}
	for _, x := range teams {
		t = append(t, x.GetSlug())
	}
	for _, x := range apps {
		a = append(a, x.GetSlug())
	}
	return u, t, a
}
