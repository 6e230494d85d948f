package branchprot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
)

// A check bound to an App is met only by a requirement bound to that App,
// and every body the App writes binds it.
func TestHostileRequiredCheckBinding(t *testing.T) {
	t.Parallel()
	bp := config.Default().BranchProtection
	bp.RequiredStatusChecks = []string{"hardener", "ci/test"}
	apps := Apps{"hardener": 42}
	st := NewState()
	st.AddRule(Rule{Type: "required_status_checks", Parameters: json.RawMessage(`{"required_status_checks":[{"context":"hardener"},{"context":"ci/test"}]}`)})
	gaps := Unmet(bp, st, apps)
	if !strings.Contains(gaps.String(), "`hardener` is required from any source") || strings.Contains(gaps.String(), "ci/test") {
		t.Errorf("gaps = %s, want only the unbound hardener check", gaps)
	}
	st.AddClassic(&github.Protection{RequiredStatusChecks: &github.RequiredStatusChecks{
		Checks: &[]*github.RequiredStatusCheck{{Context: "hardener", AppID: github.Int64(42)}}}})
	if gaps := Unmet(bp, st, apps); strings.Contains(gaps.String(), "hardener") {
		t.Errorf("gaps = %s after a bound requirement", gaps)
	}

	b, _ := json.Marshal(NewRuleset(bp, Gaps{{Rule: "required_status_checks"}}, apps))
	if !strings.Contains(string(b), `{"context":"hardener","integration_id":42}`) || !strings.Contains(string(b), `{"context":"ci/test"}`) {
		t.Errorf("ruleset = %s", b)
	}
	b, _ = json.Marshal(MergeClassic(&github.Protection{RequiredStatusChecks: &github.RequiredStatusChecks{
		Contexts: &[]string{"hardener", "ci/build"}}}, bp, apps))
	if !strings.Contains(string(b), `"checks":[{"context":"hardener","app_id":42},{"context":"ci/build"},{"context":"ci/test"}]`) {
		t.Errorf("classic = %s", b)
	}
}
