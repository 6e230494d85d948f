package app

import (
	"strings"
	"testing"
)

// ignoreEveryLine puts `# hardener: ignore[*]` at the end of every line.
func ignoreEveryLine(src string) string {
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	for i, l := range lines {
		lines[i] = l + "  # hardener: ignore[*]"
	}
	return strings.Join(lines, "\n") + "\n"
}

// A pull request that adds a workflow and the comments to silence it: the
// suppressions are new, so they do not count in the check that judges it,
// and the check lists them.
func TestHostileSuppressionAddedByPR(t *testing.T) {
	h := newHarness(t, workflowFiles())
	run := h.openPR(1, "quiet", map[string]string{".github/workflows/evil.yml": ignoreEveryLine(pwnRequest)})
	if run.Conclusion != "failure" {
		t.Fatalf("conclusion = %q, want failure: the PR's own suppressions silenced its check\n%s", run.Conclusion, run.Summary)
	}
	if !strings.Contains(run.Summary, "Suppressions added by this pull request") || !strings.Contains(run.Summary, "evil.yml") {
		t.Errorf("the new suppressions are not listed:\n%s", run.Summary)
	}
}

// A suppression already on the base still counts, and one the pull request
// adds to a finding the base already has is listed, with the finding shown
// as already on the base rather than introduced.
func TestHostileSuppressionOnBaseStillCounts(t *testing.T) {
	files := workflowFiles()
	files[".github/workflows/evil.yml"] = ignoreEveryLine(pwnRequest)
	h := newHarness(t, files)
	ci := files[".github/workflows/ci.yml"]
	run := h.openPR(1, "docs", map[string]string{
		"README.md":                "# changed\n",
		".github/workflows/ci.yml": strings.Replace(ci, "actions/checkout@v4", "actions/checkout@v4 # hardener: ignore[unpinned-uses]", 1),
	})
	if run.Conclusion != "success" {
		t.Fatalf("conclusion = %q, want success: the base's suppression was not honoured\n%s", run.Conclusion, run.Summary)
	}
	if strings.Contains(run.Summary, "evil.yml") {
		t.Errorf("a suppression on the base is listed as new:\n%s", run.Summary)
	}
	if !strings.Contains(run.Summary, "ci.yml") || !strings.Contains(run.Summary, "Suppressions added by this pull request") {
		t.Errorf("the suppression added to ci.yml is not listed:\n%s", run.Summary)
	}
}
