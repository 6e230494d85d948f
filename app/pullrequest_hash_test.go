package app

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

// TestFixHashIgnoresMovedLines: a closed hardening PR stays closed when
// the maintainers only move lines; a new problem to fix reopens it.
func TestFixHashIgnoresMovedLines(t *testing.T) {
	t.Parallel()
	const path = ".github/workflows/ci.yml"
	wf := "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/checkout@v4\n"
	// result is what pin-actions reports for a workflow: the fingerprints
	// of its unpinned-uses findings, and the file it changes.
	result := func(before string) []*remediations.Result {
		snap := repo.New(fstest.MapFS{path: {Data: []byte(before)}}, "")
		var fixed []string
		for _, f := range checks.Scan(context.Background(), snap, checks.Options{}).Findings {
			if f.Rule == checks.RuleUnpinnedUses {
				fixed = append(fixed, f.Fingerprint())
			}
		}
		return []*remediations.Result{{ID: checks.FixPinActions, Fixed: fixed,
			Changes: []remediations.Change{{Path: path, Before: []byte(before), After: []byte("x")}}}}
	}
	base := fixHash(result(wf))
	if got := fixHash(result("# a comment\n\n" + wf)); got != base {
		t.Error("moving lines changed the hash")
	}
	if got := fixHash(result(wf + "      - uses: actions/checkout@v4\n")); got == base {
		t.Error("a third occurrence did not change the hash")
	}
	other := strings.Replace(wf, "checkout@v4\n      - uses: actions/checkout@v4", "checkout@v4\n      - uses: actions/cache@v4", 1)
	if got := fixHash(result(other)); got == base {
		t.Error("a different action did not change the hash")
	}
}
