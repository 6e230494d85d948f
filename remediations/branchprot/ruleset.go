package branchprot

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hardener/hardener/internal/config"
)

// RulesetName is the name of the one repository ruleset the App manages.
const RulesetName = "hardener"

// Rule types the App manages, in the order it writes them.
var managedRules = []string{"pull_request", "required_status_checks", "required_signatures", "non_fast_forward", "deletion"}

// Rule is a ruleset rule as GitHub returns it. Parameters stay raw so
// that parameters and rule types this code does not know survive an
// update.
type Rule struct {
	Type              string          `json:"type"`
	Parameters        json.RawMessage `json:"parameters,omitempty"`
	RulesetSourceType string          `json:"ruleset_source_type,omitempty"`
	RulesetID         int64           `json:"ruleset_id,omitempty"`
}

// Ruleset is a repository ruleset as listed or fetched.
type Ruleset struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Target      string          `json:"target"`
	SourceType  string          `json:"source_type"`
	Enforcement string          `json:"enforcement"`
	Conditions  json.RawMessage `json:"conditions,omitempty"`
	Rules       []Rule          `json:"rules"`
}

// RulesetRequest is the body of a ruleset's create and update.
type RulesetRequest struct {
	Name        string         `json:"name"`
	Target      string         `json:"target"`
	Enforcement string         `json:"enforcement"`
	Conditions  map[string]any `json:"conditions"`
	Rules       []RuleRequest  `json:"rules"`
}

// RuleRequest is one rule of a RulesetRequest.
type RuleRequest struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// isManaged reports whether the App manages rules of type t.
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
func buildRules(bp config.BranchProtectionConfig, types map[string]bool, live []Rule, apps Apps) []RuleRequest {
	var out []RuleRequest
	old := map[string]json.RawMessage{}
	for _, r := range live {
		if isManaged(r.Type) {
			old[r.Type] = r.Parameters
			continue
		}
		out = append(out, RuleRequest{Type: r.Type, Parameters: r.Parameters})
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
			out = append(out, RuleRequest{Type: t, Parameters: rawJSON(p)})
		case "required_status_checks":
			p := params(old[t])
			checks, _ := p["required_status_checks"].([]any)
			have := map[string]bool{}
			for _, c := range checks {
				if m, ok := c.(map[string]any); ok {
					ctx := fmt.Sprint(m["context"])
					have[ctx] = true
					if id := apps[ctx]; id != 0 {
						m["integration_id"] = id
					}
				}
			}
			for _, c := range bp.RequiredStatusChecks {
				if !have[c] {
					m := map[string]any{"context": c}
					if id := apps[c]; id != 0 {
						m["integration_id"] = id
					}
					checks = append(checks, m)
				}
			}
			if checks == nil {
				checks = []any{}
			}
			p["required_status_checks"] = checks
			if _, ok := p["strict_required_status_checks_policy"]; !ok {
				p["strict_required_status_checks_policy"] = false
			}
			out = append(out, RuleRequest{Type: t, Parameters: rawJSON(p)})
		default:
			out = append(out, RuleRequest{Type: t})
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

// RuleNames lists the request's rule types, as Markdown code.
func (r RulesetRequest) RuleNames() []string {
	var out []string
	for _, rule := range r.Rules {
		out = append(out, "`"+rule.Type+"`")
	}
	return out
}

// NewRuleset is the `hardener` ruleset that closes gaps on the default
// branch, with the checks in apps bound to their App.
func NewRuleset(bp config.BranchProtectionConfig, gaps Gaps, apps Apps) RulesetRequest {
	return RulesetRequest{Name: RulesetName, Target: "branch", Enforcement: "active",
		Conditions: map[string]any{"ref_name": map[string]any{"include": []string{"~DEFAULT_BRANCH"}, "exclude": []string{}}},
		Rules:      buildRules(bp, gapTypes(gaps), nil, apps)}
}

// UpdateRuleset is live, the existing `hardener` ruleset, made active on
// the default branch (defaultBranch) again with gaps closed: rules of
// other types and parameters the App does not manage are kept, and no
// managed setting becomes weaker than live has it; the checks in apps are
// bound to their App.
func UpdateRuleset(bp config.BranchProtectionConfig, gaps Gaps, live Ruleset, defaultBranch string, apps Apps) RulesetRequest {
	types := gapTypes(gaps)
	for _, r := range live.Rules {
		if isManaged(r.Type) {
			types[r.Type] = true
		}
	}
	return RulesetRequest{Name: RulesetName, Target: "branch", Enforcement: "active",
		Conditions: withDefaultBranch(live.Conditions, defaultBranch), Rules: buildRules(bp, types, live.Rules, apps)}
}

func gapTypes(gaps Gaps) map[string]bool {
	types := map[string]bool{}
	for _, g := range gaps {
		types[g.Rule] = true
	}
	return types
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
