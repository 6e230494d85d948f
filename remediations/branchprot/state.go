// Package branchprot is the pure part of the branch-protection
// remediation: what a branch's protection lacks compared with the
// `branch-protection:` configuration (rulesets and classic protection
// together), the body of the `hardener` ruleset and of a classic
// protection update that keep everything else and never weaken a setting,
// and the commit that proposes the configuration block. It calls no API:
// the App reads the live protection, asks these functions what to write,
// and writes it.
package branchprot

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/templates"
)

// State is how a branch is protected, aggregated over every source (the
// strictest value of each setting wins, as GitHub applies them).
type State struct {
	pr                       bool
	approvals                int
	dismissStale, codeOwners bool
	checks                   map[string]map[int64]bool // context -> Apps it must come from (0: any source)
	signatures               bool
	noForcePush, noDeletion  bool
}

// NewState is an unprotected branch.
func NewState() *State { return &State{checks: map[string]map[int64]bool{}} }

// Apps binds required status checks to the GitHub App that must report
// them (context → App ID). A context not listed may come from any source,
// as the configuration names only contexts; the App binds its own.
type Apps map[string]int64

// requireCheck records that context is required from app (0: any source).
func (s *State) requireCheck(context string, app int64) {
	if s.checks[context] == nil {
		s.checks[context] = map[int64]bool{}
	}
	if app < 0 {
		app = 0 // -1: any App, explicitly
	}
	s.checks[context][app] = true
}

// AddRule adds a rule that applies to the branch (from any ruleset).
func (s *State) AddRule(r Rule) {
	switch r.Type {
	case "pull_request":
		var p struct {
			Count      int  `json:"required_approving_review_count"`
			Dismiss    bool `json:"dismiss_stale_reviews_on_push"`
			CodeOwners bool `json:"require_code_owner_review"`
		}
		_ = json.Unmarshal(r.Parameters, &p)
		s.pr, s.approvals = true, max(s.approvals, p.Count)
		s.dismissStale, s.codeOwners = s.dismissStale || p.Dismiss, s.codeOwners || p.CodeOwners
	case "required_status_checks":
		var p struct {
			Checks []struct {
				Context       string `json:"context"`
				IntegrationID int64  `json:"integration_id"`
			} `json:"required_status_checks"`
		}
		_ = json.Unmarshal(r.Parameters, &p)
		for _, c := range p.Checks {
			s.requireCheck(c.Context, c.IntegrationID)
		}
	case "required_signatures":
		s.signatures = true
	case "non_fast_forward":
		s.noForcePush = true
	case "deletion":
		s.noDeletion = true
	}
}

// Gap is one thing the configuration asks for that the branch lacks.
type Gap struct {
	Rule string // the ruleset rule type that closes it
	Text string // for people
}

// Gaps are what a branch lacks; their String joins the texts.
type Gaps []Gap

// Unmet lists what bp asks for that s does not enforce. A check bound in
// apps is met only when required from that App: any other App or workflow
// job can report a check of the same name.
func Unmet(bp config.BranchProtectionConfig, s *State, apps Apps) Gaps {
	var out Gaps
	switch {
	case !s.pr:
		out = append(out, Gap{"pull_request", "pull requests are not required"})
	default:
		if s.approvals < bp.RequiredApprovals {
			out = append(out, Gap{"pull_request", fmt.Sprintf("%s required (configured: %d)",
				plural(s.approvals, "approving review", "approving reviews"), bp.RequiredApprovals)})
		}
		if bp.DismissStaleReviews && !s.dismissStale {
			out = append(out, Gap{"pull_request", "stale approvals are not dismissed on push"})
		}
		if bp.RequireCodeOwnerReview && !s.codeOwners {
			out = append(out, Gap{"pull_request", "code owner review is not required"})
		}
	}
	for _, c := range bp.RequiredStatusChecks {
		switch want := apps[c]; {
		case len(s.checks[c]) == 0:
			out = append(out, Gap{"required_status_checks", fmt.Sprintf("status check %s is not required", templates.Code(c))})
		case want != 0 && !s.checks[c][want]:
			out = append(out, Gap{"required_status_checks", fmt.Sprintf("status check %s is required from any source, not from the App (id %d) that reports it", templates.Code(c), want)})
		}
	}
	if bp.RequireSignedCommits && !s.signatures {
		out = append(out, Gap{"required_signatures", "signed commits are not required"})
	}
	if bp.BlockForcePushes && !s.noForcePush {
		out = append(out, Gap{"non_fast_forward", "force pushes are allowed"})
	}
	if !s.noDeletion {
		out = append(out, Gap{"deletion", "the branch can be deleted"})
	}
	return out
}

func (gaps Gaps) String() string {
	var parts []string
	for _, g := range gaps {
		parts = append(parts, g.Text)
	}
	return strings.Join(parts, "; ")
}

// AddClassic adds the branch's classic protection.
func (s *State) AddClassic(p *github.Protection) {
	if r := p.RequiredPullRequestReviews; r != nil {
		s.pr, s.approvals = true, max(s.approvals, r.RequiredApprovingReviewCount)
		s.dismissStale, s.codeOwners = s.dismissStale || r.DismissStaleReviews, s.codeOwners || r.RequireCodeOwnerReviews
	}
	if c := p.RequiredStatusChecks; c != nil {
		if c.Contexts != nil {
			for _, x := range *c.Contexts {
				s.requireCheck(x, 0)
			}
		}
		if c.Checks != nil {
			for _, x := range *c.Checks {
				s.requireCheck(x.Context, x.GetAppID())
			}
		}
	}
	s.signatures = s.signatures || p.RequiredSignatures != nil && p.RequiredSignatures.GetEnabled()
	// A protected branch refuses force pushes and deletion unless allowed.
	s.noForcePush = s.noForcePush || p.AllowForcePushes == nil || !p.AllowForcePushes.Enabled
	s.noDeletion = s.noDeletion || p.AllowDeletions == nil || !p.AllowDeletions.Enabled
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
