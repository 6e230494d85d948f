package branchprot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
)

func TestAppendBranchProtection(t *testing.T) {
	t.Parallel()
	bp := config.Default().BranchProtection
	bp.RequiredStatusChecks = []string{"ci/build", `odd "name": x`}
	tests := map[string]struct {
		in      string
		nilFile bool
		wantErr bool
		prefix  string // the output starts with this (the original bytes)
		has     string
	}{
		"new file":           {nilFile: true, prefix: newConfigHeader + "branch-protection:\n"},
		"empty file":         {in: "", prefix: bpComment + "branch-protection:\n"},
		"keeps comments":     {in: "# ours\nmode: pr  # trailing\n\n", prefix: "# ours\nmode: pr  # trailing\n\n\n# Branch"},
		"no final newline":   {in: "fail-on: low", prefix: "fail-on: low\n\n# Branch"},
		"crlf":               {in: "fail-on: low\r\nmode: pr\r\n", prefix: "fail-on: low\r\nmode: pr\r\n\r\n# Branch", has: "  required-approvals: 1\r\n"},
		"quoted check names": {in: "mode: pr\n", has: `    - "odd \"name\": x"` + "\n"},
		"flow mapping":       {in: "{mode: pr}\n", wantErr: true},
		"two documents":      {in: "mode: pr\n---\nmode: report\n", wantErr: true},
		"ended document":     {in: "mode: pr\n...\n", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var in []byte
			if !tc.nilFile {
				in = []byte(tc.in)
			}
			out, err := appendBlock(in, bp)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error; got:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(out), tc.in) || !strings.HasPrefix(string(out), tc.prefix) {
				t.Errorf("output does not keep the original bytes:\n%q", out)
			}
			if tc.has != "" && !strings.Contains(string(out), tc.has) {
				t.Errorf("output lacks %q:\n%s", tc.has, out)
			}
			if !Reviewed(out) {
				t.Errorf("no top-level %s key", Key)
			}
		})
	}
}

func TestMergeClassicKeepsEverything(t *testing.T) {
	t.Parallel()
	appID := int64(15368)
	p := &github.Protection{
		RequiredStatusChecks: &github.RequiredStatusChecks{Strict: true,
			Checks: &[]*github.RequiredStatusCheck{{Context: "ci/build", AppID: &appID}}},
		RequiredPullRequestReviews: &github.PullRequestReviewsEnforcement{RequiredApprovingReviewCount: 2,
			RequireCodeOwnerReviews: true, RequireLastPushApproval: true,
			DismissalRestrictions: &github.DismissalRestrictions{Users: []*github.User{{Login: github.String("octocat")}}}},
		EnforceAdmins:    &github.AdminEnforcement{Enabled: true},
		Restrictions:     &github.BranchRestrictions{Teams: []*github.Team{{Slug: github.String("release")}}},
		AllowForcePushes: &github.AllowForcePushes{Enabled: true},
	}
	bp := config.Default().BranchProtection
	bp.RequiredStatusChecks = []string{"ci/test"}
	req := MergeClassic(p, bp, nil)
	b, _ := json.Marshal(req)
	got := string(b)
	for _, want := range []string{
		`"checks":[{"context":"ci/build","app_id":15368},{"context":"ci/test"}]`, // bound to an app: checks, not contexts
		`"strict":true`, `"required_approving_review_count":2`, `"require_code_owner_reviews":true`,
		`"dismiss_stale_reviews":true`, `"require_last_push_approval":true`, `"users":["octocat"]`,
		`"enforce_admins":true`, `"teams":["release"]`, `"allow_force_pushes":false`, `"allow_deletions":false`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("request lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"contexts"`) {
		t.Errorf("both contexts and checks sent (GitHub answers 422):\n%s", got)
	}

	// No protection yet: every key of the PUT is present.
	b, _ = json.Marshal(MergeClassic(nil, config.Default().BranchProtection, nil))
	for _, k := range []string{`"required_status_checks":null`, `"restrictions":null`, `"enforce_admins":false`, `"required_pull_request_reviews":{`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("request lacks %s: %s", k, b)
		}
	}
}

func TestUnmetAggregatesSources(t *testing.T) {
	t.Parallel()
	bp := config.Default().BranchProtection
	bp.RequiredApprovals = 2
	st := NewState()
	st.AddRule(Rule{Type: "pull_request", Parameters: json.RawMessage(`{"required_approving_review_count":1,"dismiss_stale_reviews_on_push":true}`)})
	st.AddRule(Rule{Type: "pull_request", Parameters: json.RawMessage(`{"required_approving_review_count":2}`)})
	st.AddRule(Rule{Type: "non_fast_forward"})
	gaps := Unmet(bp, st, nil)
	if len(gaps) != 1 || gaps[0].Rule != "deletion" {
		t.Errorf("gaps = %v, want only deletion", gaps)
	}
	st.AddClassic(&github.Protection{AllowDeletions: &github.AllowDeletions{Enabled: false}})
	if gaps := Unmet(bp, st, nil); len(gaps) != 0 {
		t.Errorf("gaps = %v after classic protection", gaps)
	}
}

func TestBuildRulesKeepsOthersAndNeverWeakens(t *testing.T) {
	t.Parallel()
	live := []Rule{
		{Type: "pull_request", Parameters: json.RawMessage(`{"required_approving_review_count":3,"allowed_merge_methods":["squash"]}`)},
		{Type: "required_linear_history"},
	}
	rules := buildRules(config.Default().BranchProtection, map[string]bool{"pull_request": true, "deletion": true}, live, nil)
	b, _ := json.Marshal(rules)
	got := string(b)
	for _, want := range []string{`{"type":"required_linear_history"}`, `"required_approving_review_count":3`, `"allowed_merge_methods":["squash"]`, `"dismiss_stale_reviews_on_push":true`, `{"type":"deletion"}`} {
		if !strings.Contains(got, want) {
			t.Errorf("rules lack %s: %s", want, got)
		}
	}
}
