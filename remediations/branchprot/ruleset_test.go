package branchprot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
)

func TestNewAndUpdateRuleset(t *testing.T) {
	t.Parallel()
	bp := config.Default().BranchProtection
	gaps := Unmet(bp, NewState(), nil)
	if len(gaps) == 0 || !strings.Contains(gaps.String(), "pull requests are not required") {
		t.Fatalf("gaps of an unprotected branch: %v", gaps)
	}
	req := NewRuleset(bp, gaps, nil)
	if req.Name != RulesetName || req.Enforcement != "active" || strings.Join(req.RuleNames(), ",") != "`pull_request`,`non_fast_forward`,`deletion`" {
		t.Errorf("new ruleset %+v rules %v", req, req.RuleNames())
	}
	// An existing, disabled ruleset that excludes the default branch and
	// carries a rule of its own: made active again on the branch, the
	// other rule kept, the managed types it already has rewritten.
	live := Ruleset{ID: 7, Name: RulesetName, Enforcement: "disabled",
		Conditions: json.RawMessage(`{"ref_name":{"include":["refs/heads/release"],"exclude":["refs/heads/main"]}}`),
		Rules:      []Rule{{Type: "required_linear_history"}, {Type: "required_signatures"}}}
	up := UpdateRuleset(bp, Gaps{{Rule: "deletion", Text: "the branch can be deleted"}}, live, "main", nil)
	b, _ := json.Marshal(up)
	for _, want := range []string{`"enforcement":"active"`, `"include":["~DEFAULT_BRANCH","refs/heads/release"]`, `"exclude":[]`,
		`{"type":"required_linear_history"}`, `{"type":"required_signatures"}`, `{"type":"deletion"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("update lacks %s:\n%s", want, b)
		}
	}
}

func TestPropose(t *testing.T) {
	t.Parallel()
	bp := config.Default().BranchProtection
	before := []byte("mode: pr\n")
	r, err := Propose(before, bp)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != checks.FixBranchProtection || len(r.Changes) != 1 || r.Changes[0].Path != config.File || string(r.Changes[0].Before) != string(before) {
		t.Fatalf("result %+v", r)
	}
	if !Reviewed(r.Changes[0].After) || Reviewed(before) {
		t.Error("Reviewed does not see the proposed block")
	}
	if !strings.Contains(r.Explanation, "1 approving review") {
		t.Errorf("explanation:\n%s", r.Explanation)
	}
	if _, err := Propose([]byte("{mode: pr}\n"), bp); err == nil {
		t.Error("a flow mapping cannot take a block; want an error")
	}
}
