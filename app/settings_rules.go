package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
)

// RulesetName is the name of the one repository ruleset the App manages.
const RulesetName = "hardener"

// Rule types the App manages, in the order it writes them.
var managedRules = []string{"pull_request", "required_status_checks", "required_signatures", "non_fast_forward", "deletion"}

// liveRule is a rule as GitHub returns it. Parameters stay raw so that
// parameters and rule types this code does not know survive an update.
type liveRule struct {
	Type              string          `json:"type"`
	Parameters        json.RawMessage `json:"parameters,omitempty"`
	RulesetSourceType string          `json:"ruleset_source_type,omitempty"`
	RulesetID         int64           `json:"ruleset_id,omitempty"`
}

// liveRuleset is a ruleset as listed or fetched.
type liveRuleset struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Target      string          `json:"target"`
	SourceType  string          `json:"source_type"`
	Enforcement string          `json:"enforcement"`
	Conditions  json.RawMessage `json:"conditions,omitempty"`
	Rules       []liveRule      `json:"rules"`
}

// rulesetRequest is the body of create and update.
type rulesetRequest struct {
	Name        string         `json:"name"`
	Target      string         `json:"target"`
	Enforcement string         `json:"enforcement"`
	Conditions  map[string]any `json:"conditions"`
	Rules       []ruleRequest  `json:"rules"`
}

type ruleRequest struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// ghJSON sends one request with go-github (so rate limits map to its
// error types) and decodes the answer into out.
func ghJSON(ctx context.Context, gh *github.Client, method, path string, body, out any) error {
	req, err := gh.NewRequest(method, path, body)
	if err != nil {
		return err
	}
	_, err = gh.Do(ctx, req, out)
	return err
}

// bpState is how a branch is protected, aggregated over every source (the
// strictest value of each setting wins, as GitHub applies them).
type bpState struct {
	pr                       bool
	approvals                int
	dismissStale, codeOwners bool
	checks                   map[string]bool
	signatures               bool
	noForcePush, noDeletion  bool
}

func newState() *bpState { return &bpState{checks: map[string]bool{}} }

func (s *bpState) addRule(r liveRule) {
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
				Context string `json:"context"`
			} `json:"required_status_checks"`
		}
		_ = json.Unmarshal(r.Parameters, &p)
		for _, c := range p.Checks {
			s.checks[c.Context] = true
		}
	case "required_signatures":
		s.signatures = true
	case "non_fast_forward":
		s.noForcePush = true
	case "deletion":
		s.noDeletion = true
	}
}

// gap is one thing the configuration asks for that the branch lacks.
type gap struct{ rule, text string }

// unmet lists what bp asks for that s does not enforce.
func unmet(bp config.BranchProtectionConfig, s *bpState) []gap {
	var out []gap
	switch {
	case !s.pr:
		out = append(out, gap{"pull_request", "pull requests are not required"})
	default:
		if s.approvals < bp.RequiredApprovals {
			out = append(out, gap{"pull_request", fmt.Sprintf("%s required (configured: %d)",
				plural(s.approvals, "approving review", "approving reviews"), bp.RequiredApprovals)})
		}
		if bp.DismissStaleReviews && !s.dismissStale {
			out = append(out, gap{"pull_request", "stale approvals are not dismissed on push"})
		}
		if bp.RequireCodeOwnerReview && !s.codeOwners {
			out = append(out, gap{"pull_request", "code owner review is not required"})
		}
	}
	for _, c := range bp.RequiredStatusChecks {
		if !s.checks[c] {
			out = append(out, gap{"required_status_checks", fmt.Sprintf("status check `%s` is not required", c)})
		}
	}
	if bp.RequireSignedCommits && !s.signatures {
		out = append(out, gap{"required_signatures", "signed commits are not required"})
	}
	if bp.BlockForcePushes && !s.noForcePush {
		out = append(out, gap{"non_fast_forward", "force pushes are allowed"})
	}
	if !s.noDeletion {
		out = append(out, gap{"deletion", "the branch can be deleted"})
	}
	return out
}

func gapText(gaps []gap) string {
	var parts []string
	for _, g := range gaps {
		parts = append(parts, g.text)
	}
	return strings.Join(parts, "; ")
}

// ensureBranchProtection applies the reviewed branch-protection values to
// the default branch. Nothing changed costs one request when rulesets
// already enforce them, two when classic protection does.
func (w *Worker) ensureBranchProtection(ctx context.Context, gh *github.Client, ri repoInfo, sc *scanned, so *settingsOutcome) error {
	reviewed, err := w.bpReviewed(ctx, gh, ri, sc.tree)
	if err != nil {
		return err
	}
	if !reviewed {
		so.add("bp:proposed", fmt.Sprintf("Branch protection is proposed in the hardening pull request as a `%s:` block of `%s`; Hardener applies it once that is merged.", bpKey, config.File), false)
		return nil
	}
	bp, b := sc.cfg.BranchProtection, ri.defaultBranch
	var rules []liveRule
	err = ghJSON(ctx, gh, http.MethodGet, fmt.Sprintf("repos/%s/%s/rules/branches/%s?per_page=100", ri.owner, ri.name, b), nil, &rules)
	if _, _, refused := refusal(err); err != nil && !refused {
		return fmt.Errorf("rules of branch %s: %w", b, err)
	}
	st := newState()
	for _, r := range rules {
		st.addRule(r)
	}
	ok := fmt.Sprintf("Branch protection of `%s` matches `%s`.", b, config.File)
	gaps := unmet(bp, st)
	if len(gaps) == 0 {
		so.add("bp:ok", ok, false)
		return nil
	}
	classic, classicErr := w.getClassic(ctx, gh, ri)
	if classicErr != nil {
		if _, _, refused := refusal(classicErr); !refused {
			return classicErr
		}
	}
	if classic != nil {
		st.addClassic(classic)
		if gaps = unmet(bp, st); len(gaps) == 0 {
			so.add("bp:ok", ok, false)
			return nil
		}
	}
	done, err := w.applyRuleset(ctx, gh, ri, bp, gaps, so)
	if err != nil || done {
		return err
	}
	return w.applyClassic(ctx, gh, ri, bp, classic, classicErr, gaps, so)
}

// applyRuleset creates or updates the `hardener` ruleset; other rulesets
// are never touched. done is false when rulesets are not available here
// (plan or GitHub version), so that classic protection is used instead.
func (w *Worker) applyRuleset(ctx context.Context, gh *github.Client, ri repoInfo, bp config.BranchProtectionConfig, gaps []gap, so *settingsOutcome) (done bool, err error) {
	logger := LoggerFrom(ctx)
	base := fmt.Sprintf("repos/%s/%s/rulesets", ri.owner, ri.name)
	var list []liveRuleset
	err = ghJSON(ctx, gh, http.MethodGet, base+"?includes_parents=false&per_page=100", nil, &list)
	if err != nil {
		return w.rulesetRefused(ctx, err, so)
	}
	var ours *liveRuleset
	for i := range list {
		if list[i].Name == RulesetName && (list[i].SourceType == "" || list[i].SourceType == "Repository") {
			ours = &list[i]
			break
		}
	}
	types := map[string]bool{}
	for _, g := range gaps {
		types[g.rule] = true
	}
	if ours == nil {
		req := rulesetRequest{Name: RulesetName, Target: "branch", Enforcement: "active",
			Conditions: map[string]any{"ref_name": map[string]any{"include": []string{"~DEFAULT_BRANCH"}, "exclude": []string{}}},
			Rules:      buildRules(bp, types, nil)}
		var created liveRuleset
		if err := ghJSON(ctx, gh, http.MethodPost, base, req, &created); err != nil {
			return w.rulesetRefused(ctx, err, so)
		}
		logger.Info("ruleset created", "ruleset", created.ID, "rules", len(req.Rules))
		so.add("bp:applied:"+gapText(gaps), fmt.Sprintf("Created the repository ruleset `%s` for `%s` from `%s`: %s.",
			RulesetName, ri.defaultBranch, config.File, strings.Join(ruleNames(req.Rules), ", ")), true)
		return true, nil
	}
	var live liveRuleset
	if err := ghJSON(ctx, gh, http.MethodGet, fmt.Sprintf("%s/%d", base, ours.ID), nil, &live); err != nil {
		return w.rulesetRefused(ctx, err, so)
	}
	drift := gapText(gaps)
	if live.Enforcement != "active" {
		drift = fmt.Sprintf("the ruleset's enforcement is `%s`; %s", live.Enforcement, drift)
	}
	for _, r := range live.Rules {
		if isManaged(r.Type) {
			types[r.Type] = true
		}
	}
	req := rulesetRequest{Name: RulesetName, Target: "branch", Enforcement: "active",
		Conditions: withDefaultBranch(live.Conditions, ri.defaultBranch), Rules: buildRules(bp, types, live.Rules)}
	if err := ghJSON(ctx, gh, http.MethodPut, fmt.Sprintf("%s/%d", base, ours.ID), req, &live); err != nil {
		return w.rulesetRefused(ctx, err, so)
	}
	logger.Warn("ruleset drifted from the configuration; re-applied", "ruleset", ours.ID, "drift", drift)
	so.add("bp:drift:"+drift, fmt.Sprintf("**Drift:** the branch protection of `%s` differed from `%s` (%s). Hardener re-applied the `%s` ruleset; change `%s` to change the protection.",
		ri.defaultBranch, config.File, drift, RulesetName, config.File), true)
	return true, nil
}

// rulesetRefused reports a refusal; done is false when classic protection
// should be tried (rulesets not available), true when the App may not.
func (w *Worker) rulesetRefused(ctx context.Context, err error, so *settingsOutcome) (bool, error) {
	status, msg, ok := refusal(err)
	if !ok {
		return false, fmt.Errorf("hardener ruleset: %w", err)
	}
	LoggerFrom(ctx).Warn("ruleset refused", "status", status, "err", msg)
	if status == http.StatusForbidden && !needsPlan(msg) {
		so.add("bp:forbidden", "Branch protection could not be applied: "+adminHint+".", true)
		return true, nil
	}
	if status == http.StatusUnprocessableEntity {
		so.add("bp:refused", "GitHub refused the `"+RulesetName+"` ruleset: "+msg, true)
		return true, nil
	}
	return false, nil
}

func isManaged(t string) bool {
	for _, m := range managedRules {
		if m == t {
			return true
		}
	}
	return false
}

// buildRules is the ruleset's rules: every rule of another type kept as
// it is, and the managed types in types set from bp, never weaker than
// what the ruleset already had.
func buildRules(bp config.BranchProtectionConfig, types map[string]bool, live []liveRule) []ruleRequest {
	var out []ruleRequest
	old := map[string]json.RawMessage{}
	for _, r := range live {
		if isManaged(r.Type) {
			old[r.Type] = r.Parameters
			continue
		}
		out = append(out, ruleRequest{Type: r.Type, Parameters: r.Parameters})
	}
	for _, t := range managedRules {
		if !types[t] {
			continue
		}
		switch t {
		case "pull_request":
			p := params(old[t])
			p["required_approving_review_count"] = max(intParam(p["required_approving_review_count"]), bp.RequiredApprovals)
			p["dismiss_stale_reviews_on_push"] = p["dismiss_stale_reviews_on_push"] == true || bp.DismissStaleReviews
			p["require_code_owner_review"] = p["require_code_owner_review"] == true || bp.RequireCodeOwnerReview
			for _, k := range []string{"require_last_push_approval", "required_review_thread_resolution"} {
				if _, ok := p[k]; !ok {
					p[k] = false
				}
			}
			out = append(out, ruleRequest{Type: t, Parameters: rawJSON(p)})
		case "required_status_checks":
			p := params(old[t])
			checks, _ := p["required_status_checks"].([]any)
			have := map[string]bool{}
			for _, c := range checks {
				if m, ok := c.(map[string]any); ok {
					have[fmt.Sprint(m["context"])] = true
				}
			}
			for _, c := range bp.RequiredStatusChecks {
				if !have[c] {
					checks = append(checks, map[string]any{"context": c})
				}
			}
			if checks == nil {
				checks = []any{}
			}
			p["required_status_checks"] = checks
			if _, ok := p["strict_required_status_checks_policy"]; !ok {
				p["strict_required_status_checks_policy"] = false
			}
			out = append(out, ruleRequest{Type: t, Parameters: rawJSON(p)})
		default:
			out = append(out, ruleRequest{Type: t})
		}
	}
	return out
}

func params(raw json.RawMessage) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(raw, &m)
	return m
}

func intParam(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func rawJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func ruleNames(rules []ruleRequest) []string {
	var out []string
	for _, r := range rules {
		out = append(out, "`"+r.Type+"`")
	}
	return out
}

// withDefaultBranch keeps the ruleset's ref conditions and makes sure they
// include the default branch and do not exclude it.
func withDefaultBranch(raw json.RawMessage, branch string) map[string]any {
	var c struct {
		RefName struct {
			Include []string `json:"include"`
			Exclude []string `json:"exclude"`
		} `json:"ref_name"`
	}
	_ = json.Unmarshal(raw, &c)
	inc := []string{"~DEFAULT_BRANCH"}
	for _, p := range c.RefName.Include {
		if p != "~DEFAULT_BRANCH" {
			inc = append(inc, p)
		}
	}
	exc := []string{}
	for _, p := range c.RefName.Exclude {
		if p != "~DEFAULT_BRANCH" && p != branch && p != "refs/heads/"+branch {
			exc = append(exc, p)
		}
	}
	sort.Strings(inc[1:])
	return map[string]any{"ref_name": map[string]any{"include": inc, "exclude": exc}}
}
