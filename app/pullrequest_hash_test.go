package app

import (
	"strings"
	"testing"

	"github.com/hardener/hardener/remediations"
)

// TestFixHashIgnoresMovedLines: a closed hardening PR stays closed when
// the maintainers only move lines; a new problem to fix reopens it.
func TestFixHashIgnoresMovedLines(t *testing.T) {
	t.Parallel()
	wf := "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/checkout@v4\n"
	result := func(before string, keys ...string) []*remediations.Result {
		return []*remediations.Result{{ID: "pin-actions", Fixed: keys,
			Changes: []remediations.Change{{Path: ".github/workflows/ci.yml", Before: []byte(before), After: []byte("x")}}}}
	}
	base := fixHash(result(wf, "unpinned-uses@.github/workflows/ci.yml:5:15", "unpinned-uses@.github/workflows/ci.yml:6:15"))
	moved := "# a comment\n\n" + wf
	if got := fixHash(result(moved, "unpinned-uses@.github/workflows/ci.yml:7:15", "unpinned-uses@.github/workflows/ci.yml:8:15")); got != base {
		t.Error("moving lines changed the hash")
	}
	third := wf + "      - uses: actions/checkout@v4\n"
	if got := fixHash(result(third, "unpinned-uses@.github/workflows/ci.yml:5:15", "unpinned-uses@.github/workflows/ci.yml:6:15",
		"unpinned-uses@.github/workflows/ci.yml:7:15")); got == base {
		t.Error("a third occurrence did not change the hash")
	}
	other := strings.Replace(wf, "checkout@v4\n      - uses: actions/checkout@v4", "checkout@v4\n      - uses: actions/cache@v4", 1)
	if got := fixHash(result(other, "unpinned-uses@.github/workflows/ci.yml:5:15", "unpinned-uses@.github/workflows/ci.yml:6:15")); got == base {
		t.Error("a different action did not change the hash")
	}
}
