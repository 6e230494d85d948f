package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/remediations/branchprot"
)

// A person pushes a signed commit to the hardening branch naming
// themselves "hardener[bot]": GitHub verifies the signature (it is theirs)
// and the commit's author name is the App's, but the accounts behind the
// commit are theirs. The App must treat it as a person's commit and not
// overwrite the branch. Nor does the App's own e-mail as author help when
// the committer is a person.
func TestHostileImpersonatedCommit(t *testing.T) {
	mallory := githubfake.Signature{Name: "hardener[bot]", Email: "mallory@example.com"}
	bot := githubfake.Signature{Name: "hardener[bot]", Email: "41898282+hardener[bot]@users.noreply.github.com"}
	for name, sig := range map[string][2]githubfake.Signature{
		"bot name":  {mallory, mallory},
		"bot email": {bot, mallory}, // authored with the bot's address, committed (and signed) by the person
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, workflowFiles())
			h.fake.AddUser("mallory", "mallory@example.com")
			h.install()
			theirs := h.repo.CommitSigned(HardeningBranch, "tweak", map[string]string{"NOTES.md": "mine\n"}, sig[0], sig[1])
			h.repo.Commit("main", "add a workflow", map[string]string{".github/workflows/extra.yml": extraWorkflow})
			if err := h.refresh(); err != nil {
				t.Fatal(err)
			}
			if got := h.repo.BranchSHA(HardeningBranch); got != theirs {
				t.Fatalf("the App overwrote a commit it did not make (branch at %s, was %s)", got, theirs)
			}
			if c := h.repo.Comments(1); len(c) != 1 || !strings.Contains(c[0].Body, humanCommitsMarker) {
				t.Errorf("comments = %+v, want the one about commits by people", c)
			}
		})
	}
}

// A GitHub Actions job named `hardener` makes a check run of the same name
// on the pull request's head (here still in progress). The App must post
// its own run, not adopt or update that one.
func TestHostileForeignCheckRunNamedHardener(t *testing.T) {
	h := newHarness(t, workflowFiles())
	base := h.repo.BranchSHA("main")
	h.repo.Branch("topic", "main")
	head := h.repo.Commit("topic", "change", map[string]string{".github/workflows/extra.yml": extraWorkflow})
	const actionsApp = 15368
	foreign := h.repo.AddCheckRun(CheckName, head, actionsApp, "in_progress", "")
	h.deliver("pull_request", "pr-foreign", h.prPayload(1, "topic", head, base))
	for _, err := range h.runJobs() {
		t.Fatal(err)
	}
	var mine []githubfake.CheckRun
	for _, r := range h.repo.CheckRuns() {
		switch {
		case r.ID == foreign && (r.Status != "in_progress" || r.Conclusion != ""):
			t.Errorf("the other App's run was changed: %+v", r)
		case r.ID != foreign && r.HeadSHA == head:
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || mine[0].AppID != githubfake.AppID || mine[0].Status != "completed" {
		t.Fatalf("the App's runs on the head = %+v, want one completed", mine)
	}
}

// Required status checks name a context, which any App or workflow job can
// report: the `hardener` check must be bound to this App, in the ruleset
// and in classic protection alike, and an unbound requirement is a gap.
func TestHostileRequiredCheckBoundToApp(t *testing.T) {
	cfg := "remediations: {branch-protection: true}\nbranch-protection: {required-status-checks: [hardener, ci/test]}\n"
	t.Run("ruleset", func(t *testing.T) {
		h := newHarness(t, workflowFiles(), githubfake.PrivateVulnerabilityReporting(true))
		h.repo.Commit("main", "Configure Hardener", map[string]string{".github/hardener.yml": cfg})
		// An existing ruleset requires `hardener` from any source.
		h.repo.AddRuleset(map[string]any{"name": branchprot.RulesetName, "target": "branch", "enforcement": "active",
			"conditions": map[string]any{"ref_name": map[string]any{"include": []any{"~DEFAULT_BRANCH"}, "exclude": []any{}}},
			"rules": []any{map[string]any{"type": "required_status_checks", "parameters": map[string]any{
				"strict_required_status_checks_policy": false,
				"required_status_checks":               []any{map[string]any{"context": "hardener"}, map[string]any{"context": "ci/test"}}}}}})
		h.install()
		rs := h.rulesets()[branchprot.RulesetName]
		var checks string
		for _, r := range rs.Rules {
			if r.Type == "required_status_checks" {
				checks = string(r.Parameters)
			}
		}
		want := fmt.Sprintf(`{"context":"hardener","integration_id":%d}`, githubfake.AppID)
		if !strings.Contains(checks, want) || !strings.Contains(checks, `{"context":"ci/test"}`) {
			t.Fatalf("required checks = %s, want %s and ci/test unbound", checks, want)
		}
	})
	t.Run("classic", func(t *testing.T) {
		h := newHarnessWith(t, []githubfake.Option{githubfake.RulesetsNeedPaidPlan()}, workflowFiles(), githubfake.Private())
		h.repo.Commit("main", "Configure Hardener", map[string]string{".github/hardener.yml": cfg})
		h.repo.SetProtection("main", map[string]any{
			"required_status_checks": map[string]any{"strict": true, "contexts": []any{"hardener", "ci/build"}},
			"enforce_admins":         false, "required_pull_request_reviews": nil, "restrictions": nil,
		})
		h.install()
		raw, _ := h.repo.Protection("main")
		var p struct {
			RSC struct {
				Checks []struct {
					Context string `json:"context"`
					AppID   *int64 `json:"app_id"`
				} `json:"checks"`
			} `json:"required_status_checks"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, c := range p.RSC.Checks {
			got[c.Context] = 0
			if c.AppID != nil {
				got[c.Context] = *c.AppID
			}
		}
		if got["hardener"] != githubfake.AppID || got["ci/build"] != 0 || got["ci/test"] != 0 {
			t.Fatalf("classic checks = %v (%s), want hardener bound to %d and the others as they were", got, raw, githubfake.AppID)
		}
		h.fake.ResetCounts()
		h.rescan()
		if w := h.writes(); len(w) != 0 {
			t.Errorf("idempotent rescan wrote %v", w)
		}
	})
}
