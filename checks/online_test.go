package checks_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/resolve"
)

// TestOnlineRules runs impostor-commit and ref-version-mismatch through the
// real resolver against the GitHub fake.
func TestOnlineRules(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	up := f.AddRepo("acme", "tool", map[string]string{"action.yml": "runs: {using: node20, main: x.js}\n"})
	v1 := up.BranchSHA("main")
	up.Tag("v1.0.0", v1, false)
	up.Tag("v1", v1, true)
	v2 := up.Commit("main", "release 2", map[string]string{"x.js": "2"})
	up.Tag("v2.0.0", v2, false)
	fork := up.CommitDetached(v1, "evil", map[string]string{"x.js": "steal()"})

	src := fmt.Sprintf(`on: push
jobs:
  a:
    steps:
      - uses: acme/tool@%s # v1.0.0
      - uses: acme/tool@%s # v1.0.0
      - uses: acme/tool@%s # v2.0.0
      - uses: acme/tool@v1
      - uses: acme/tool@%s # keep: audited by the security team
`, v1, v2, fork, v2)
	snap := repo.New(fstest.MapFS{".github/workflows/w.yml": {Data: []byte(src)}}, "")
	res := checks.Scan(context.Background(), snap, checks.Options{Checks: checks.Online(resolve.New(f.Client()))})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	var got []string
	for _, fd := range res.Findings {
		got = append(got, fmt.Sprintf("%s %d:%d", fd.Rule, fd.Primary.Line, fd.Primary.Column))
	}
	want := []string{
		"ref-version-mismatch 6:68", // v2's commit is not v1.0.0
		"impostor-commit 7:15",      // on no branch or tag
		"ref-version-mismatch 7:68",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
