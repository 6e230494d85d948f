package branchprot

import (
	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
)

// MergeClassic is the existing classic protection p (nil: none) made at
// least as strict as bp, in the shape of the PUT request: a PUT replaces
// everything, so every existing setting (required checks and the app each
// must come from, restrictions, admins) is carried over, and the checks in
// apps are bound to their App.
func MergeClassic(p *github.Protection, bp config.BranchProtectionConfig, apps Apps) *github.ProtectionRequest {
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
	add := func(context string, app *int64) {
		if id := apps[context]; id != 0 {
			app = github.Int64(id)
		}
		seen[context] = true
		names = append(names, context)
		checks = append(checks, &github.RequiredStatusCheck{Context: context, AppID: app})
		bound = bound || app != nil && *app != -1
	}
	rsc := p.RequiredStatusChecks
	if rsc != nil {
		if rsc.Checks != nil {
			for _, c := range *rsc.Checks {
				if !seen[c.Context] {
					add(c.Context, c.AppID)
				}
			}
		}
		if rsc.Contexts != nil {
			for _, c := range *rsc.Contexts {
				if !seen[c] {
					add(c, nil)
				}
			}
		}
	}
	for _, c := range bp.RequiredStatusChecks {
		if !seen[c] {
			add(c, nil)
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
