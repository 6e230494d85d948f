package fixer

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

// TestLintRegression: a change that adds an actionlint error the file did
// not have is refused; errors the file already had do not count.
func TestLintRegression(t *testing.T) {
	t.Parallel()
	snap := repo.New(fstest.MapFS{}, "")
	good := "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
	broken := "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: rwx\n    steps:\n      - run: echo hi\n"
	tests := map[string]struct {
		before, after string
		path          string
		dropped       bool
	}{
		"clean edit":              {good, strings.Replace(good, "echo hi", "echo hello", 1), ".github/workflows/a.yml", false},
		"new error":               {good, broken, ".github/workflows/a.yml", true},
		"error it already had":    {broken, strings.Replace(broken, "echo hi", "echo hello", 1), ".github/workflows/a.yml", false},
		"new workflow with error": {"", broken, ".github/workflows/new.yml", true},
		"not a workflow":          {"", "anything: [", "SECURITY.md", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := remediations.Change{Path: tc.path, After: []byte(tc.after)}
			if tc.before != "" {
				c.Before = []byte(tc.before)
			}
			reason := lintRegression(snap, c)
			if (reason != "") != tc.dropped {
				t.Fatalf("lintRegression = %q, want dropped=%v", reason, tc.dropped)
			}
			if tc.dropped && !strings.Contains(reason, "actionlint") {
				t.Errorf("reason %q does not say why", reason)
			}
		})
	}
}
