package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/remediations/branchprot"
)

// orgEnablesBP is an organisation file that switches branch protection on
// with one required check.
const orgEnablesBP = "remediations: {branch-protection: true}\nbranch-protection: {required-status-checks: [ci/test]}\n"

// mergeProposal puts the hardening branch's .github/hardener.yml on main,
// as merging the PR would.
func (h *harness) mergeProposal() string {
	h.t.Helper()
	content, ok := h.repo.File(HardeningBranch, ".github/hardener.yml")
	if !ok {
		h.t.Fatal("the hardening PR has no .github/hardener.yml")
	}
	h.repo.Commit("main", "Merge the hardening pull request", map[string]string{".github/hardener.yml": content})
	return content
}

func (h *harness) logRequests(what string) {
	h.t.Helper()
	repoN, orgN, ops := h.repoRequests()
	h.t.Logf("%s: %d requests to the repository + %d to the org's .github: %v", what, repoN, orgN, ops)
}

func TestE2EBranchProtectionProposedAppliedAndDrift(t *testing.T) {
	h := newHarness(t, workflowFiles(), githubfake.PrivateVulnerabilityReporting(true))
	h.fake.AddRepo(h.repo.Owner, ".github", map[string]string{".github/hardener.yml": orgEnablesBP})
	otherID := h.repo.AddRuleset(map[string]any{"name": "release tags", "target": "tag", "enforcement": "active",
		"conditions": map[string]any{"ref_name": map[string]any{"include": []any{"refs/tags/v*"}, "exclude": []any{}}},
		"rules":      []any{map[string]any{"type": "deletion"}}})
	other := h.rulesets()["release tags"]

	// Install: the PR proposes the block; nothing is applied yet.
	h.install()
	got, ok := h.repo.File(HardeningBranch, ".github/hardener.yml")
	if !ok || !strings.Contains(got, "branch-protection:\n  required-approvals: 1\n") || !strings.Contains(got, `- "ci/test"`) {
		t.Fatalf("proposed .github/hardener.yml:\n%s", got)
	}
	var msgs []string
	for _, c := range h.repo.Commits(HardeningBranch) {
		msgs = append(msgs, strings.SplitN(c.Message, "\n", 2)[0])
	}
	if !slices.Contains(msgs, "Propose branch protection in .github/hardener.yml") {
		t.Errorf("commits = %q", msgs)
	}
	if body := h.repo.PullRequests()[0].Body; !strings.Contains(body, "Branch protection as reviewed configuration") {
		t.Errorf("PR body does not explain the block:\n%s", body)
	}
	if n := h.fake.Count("repos/get-branch-rules") + h.fake.Count("repos/create-repo-ruleset"); n != 0 {
		t.Errorf("branch protection touched before the config was merged (%d requests)", n)
	}
	if s := h.lastRun().Summary; !strings.Contains(s, "proposed in the hardening pull request") {
		t.Errorf("summary:\n%s", s)
	}

	// Merged: a rescan creates the `hardener` ruleset.
	h.mergeProposal()
	h.fake.ResetCounts()
	h.rescan()
	h.logRequests("rescan that creates the ruleset")
	rs, ok := h.rulesets()[branchprot.RulesetName]
	if !ok {
		t.Fatalf("no %q ruleset; rulesets: %v", branchprot.RulesetName, h.repo.Rulesets())
	}
	if rs.Enforcement != "active" || rs.Target != "branch" || !strings.Contains(string(rs.Conditions), "~DEFAULT_BRANCH") {
		t.Errorf("ruleset = %+v conditions %s", rs, rs.Conditions)
	}
	if want := []string{"pull_request", "required_status_checks", "non_fast_forward", "deletion"}; !slices.Equal(ruleTypes(rs), want) {
		t.Errorf("rules = %v, want %v", ruleTypes(rs), want)
	}
	pr := params(rs.Rules[0].Parameters)
	if pr["required_approving_review_count"] != float64(1) || pr["dismiss_stale_reviews_on_push"] != true || pr["require_code_owner_review"] != false {
		t.Errorf("pull_request parameters = %v", pr)
	}
	if !strings.Contains(string(rs.Rules[1].Parameters), `"context":"ci/test"`) {
		t.Errorf("required_status_checks = %s", rs.Rules[1].Parameters)
	}
	if after := h.rulesets()["release tags"]; fmt.Sprint(after) != fmt.Sprint(other) || after.ID != otherID {
		t.Errorf("other ruleset changed: %+v → %+v", other, after)
	}
	if s := h.lastRun().Summary; !strings.Contains(s, "Created the repository ruleset `hardener`") {
		t.Errorf("summary:\n%s", s)
	}

	// Second rescan: one GET for branch protection, no write.
	h.fake.ResetCounts()
	h.rescan()
	h.logRequests("rescan, nothing changed")
	if w := h.writes(); len(w) != 0 {
		t.Errorf("idempotent rescan wrote %v", w)
	}
	if n := h.fake.Count("repos/get-branch-rules") + h.fake.Count("repos/get-repo-rulesets") + h.fake.Count("repos/get-branch-protection"); n != 1 {
		t.Errorf("unchanged protection took %d requests, want 1", n)
	}

	// A maintainer weakens the ruleset: drift is reported and re-applied.
	weak := rs.Rules
	weak[0].Parameters = json.RawMessage(`{"required_approving_review_count":0,"dismiss_stale_reviews_on_push":false,"require_code_owner_review":false,"require_last_push_approval":false,"required_review_thread_resolution":false}`)
	body := branchprot.RulesetRequest{Name: branchprot.RulesetName, Target: "branch", Enforcement: "active", Conditions: params(rs.Conditions)}
	for _, r := range weak {
		body.Rules = append(body.Rules, branchprot.RuleRequest{Type: r.Type, Parameters: r.Parameters})
	}
	gh := h.fake.Client()
	if err := ghJSON(context.Background(), gh, http.MethodPut, fmt.Sprintf("repos/%s/%s/rulesets/%d", h.repo.Owner, h.repo.Name, rs.ID), body, nil); err != nil {
		t.Fatal(err)
	}
	h.fake.ResetCounts()
	h.rescan()
	h.logRequests("rescan after drift")
	s := h.lastRun().Summary
	if !strings.Contains(s, "**Drift:**") || !strings.Contains(s, "0 approving reviews required (configured: 1)") || !strings.Contains(s, "stale approvals are not dismissed") {
		t.Errorf("drift not reported:\n%s", s)
	}
	fixed := h.rulesets()[branchprot.RulesetName]
	if p := params(fixed.Rules[0].Parameters); p["required_approving_review_count"] != float64(1) || p["dismiss_stale_reviews_on_push"] != true {
		t.Errorf("not re-applied: %v", p)
	}
	if len(h.repo.Rulesets()) != 2 {
		t.Errorf("rulesets = %d, want 2", len(h.repo.Rulesets()))
	}
	if n := len(h.repo.CheckRuns()); n > 3 {
		t.Errorf("check runs = %d: a rescan should update the head's run, not add runs", n)
	}
}

func TestE2EBranchProtectionOrgRulesetCounts(t *testing.T) {
	h := newHarness(t, workflowFiles(), githubfake.PrivateVulnerabilityReporting(true))
	h.repo.Commit("main", "Configure Hardener", map[string]string{".github/hardener.yml": "remediations: {branch-protection: true}\nbranch-protection: {required-approvals: 2}\n"})
	h.fake.AddOrgRuleset(h.repo.Owner, map[string]any{"name": "org baseline", "target": "branch", "enforcement": "active",
		"conditions": map[string]any{"ref_name": map[string]any{"include": []any{"~DEFAULT_BRANCH"}, "exclude": []any{}}},
		"rules":      []any{map[string]any{"type": "deletion"}, map[string]any{"type": "non_fast_forward"}}})
	h.install()
	mainFile, _ := h.repo.File("main", ".github/hardener.yml")
	if got, _ := h.repo.File(HardeningBranch, ".github/hardener.yml"); got != mainFile {
		t.Errorf("block proposed although the repository's file has one:\n%s", got)
	}
	rs, ok := h.rulesets()[branchprot.RulesetName]
	if !ok {
		t.Fatal("no hardener ruleset")
	}
	if want := []string{"pull_request"}; !slices.Equal(ruleTypes(rs), want) {
		t.Errorf("rules = %v, want %v: what the org ruleset enforces is not duplicated", ruleTypes(rs), want)
	}
	if p := params(rs.Rules[0].Parameters); p["required_approving_review_count"] != float64(2) {
		t.Errorf("pull_request = %v", p)
	}
}

func TestE2EBranchProtectionClassicFallback(t *testing.T) {
	h := newHarnessWith(t, []githubfake.Option{githubfake.RulesetsNeedPaidPlan()}, workflowFiles(), githubfake.Private())
	h.repo.Commit("main", "Configure Hardener", map[string]string{".github/hardener.yml": "remediations: {branch-protection: true}\nbranch-protection: {block-force-pushes: true}\n"})
	h.repo.SetProtection("main", map[string]any{
		"required_status_checks":        map[string]any{"strict": true, "contexts": []any{"ci/build"}},
		"enforce_admins":                true,
		"required_pull_request_reviews": nil,
		"restrictions":                  nil,
		"required_linear_history":       true,
	})
	h.install()
	raw, ok := h.repo.Protection("main")
	if !ok {
		t.Fatal("no protection")
	}
	var p map[string]any
	_ = json.Unmarshal(raw, &p)
	t.Logf("protection written: %s", raw)
	rsc, _ := p["required_status_checks"].(map[string]any)
	if rsc == nil || !strings.Contains(fmt.Sprint(rsc["contexts"]), "ci/build") || rsc["strict"] != true {
		t.Errorf("required status checks lost: %v", p["required_status_checks"])
	}
	rv, _ := p["required_pull_request_reviews"].(map[string]any)
	if rv == nil || rv["required_approving_review_count"] != float64(1) || rv["dismiss_stale_reviews"] != true {
		t.Errorf("reviews = %v", p["required_pull_request_reviews"])
	}
	if p["enforce_admins"] != true || p["required_linear_history"] != true || p["allow_force_pushes"] != false || p["allow_deletions"] != false {
		t.Errorf("protection = %v", p)
	}
	if len(h.repo.Rulesets()) != 0 {
		t.Error("ruleset created on a plan without them")
	}
	if s := h.lastRun().Summary; !strings.Contains(s, "classic branch protection") || !strings.Contains(s, "keeping every existing setting") {
		t.Errorf("summary:\n%s", s)
	}
	h.fake.ResetCounts()
	h.rescan()
	h.logRequests("classic rescan, nothing changed")
	if w := h.writes(); len(w) != 0 {
		t.Errorf("idempotent rescan wrote %v", w)
	}
}

func TestE2EBranchProtectionNotPermitted(t *testing.T) {
	h := newHarness(t, workflowFiles(), githubfake.PrivateVulnerabilityReporting(true))
	h.repo.Commit("main", "Configure Hardener", map[string]string{".github/hardener.yml": "remediations: {branch-protection: true}\nbranch-protection: {block-force-pushes: true}\n"})
	h.fake.FailNext("repos/create-repo-ruleset", 1, http.StatusForbidden, nil,
		`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`)
	h.install()
	if s := h.lastRun().Summary; !strings.Contains(s, "Branch protection could not be applied") || !strings.Contains(s, "administration: write") {
		t.Errorf("summary:\n%s", s)
	}
	if n := h.fake.Count("repos/update-branch-protection"); n != 0 {
		t.Errorf("fell back to classic protection without the permission")
	}
}

// params decodes a rule's parameters.
func params(raw json.RawMessage) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(raw, &m)
	return m
}
