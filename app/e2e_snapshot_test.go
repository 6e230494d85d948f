package app

import (
	"strings"
	"testing"
)

// A .gitattributes that hides .github (and itself) from tarballs: the App
// must still see the tree of the commit and not "add" files that exist.
func TestE2EExportIgnoreIsSeenThrough(t *testing.T) {
	files := workflowFiles()
	files[".gitattributes"] = "/.github export-ignore\n.gitattributes export-ignore\nSECURITY.md export-ignore\nVERSION export-subst\n"
	files["SECURITY.md"] = "Report to security@example.com\n"
	files["VERSION"] = "$Format:%H$\n"
	files[".github/dependabot.yml"] = "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n"
	h := newHarness(t, files)
	h.install()
	prs := h.repo.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("pull requests = %d, want 1", len(prs))
	}
	if got, _ := h.repo.File(HardeningBranch, "SECURITY.md"); got != files["SECURITY.md"] {
		t.Errorf("SECURITY.md overwritten: %q", got)
	}
	if got, _ := h.repo.File(HardeningBranch, ".github/dependabot.yml"); got != files[".github/dependabot.yml"] {
		t.Errorf("dependabot.yml changed:\n%s", got)
	}
	if got, _ := h.repo.File(HardeningBranch, "VERSION"); got != files["VERSION"] {
		t.Errorf("VERSION = %q, want the tree's content, not the substituted one", got)
	}
	if got, _ := h.repo.File(HardeningBranch, ".github/workflows/ci.yml"); !pinnedRe.MatchString(got) {
		t.Errorf("ci.yml not pinned through export-ignore:\n%s", got)
	}
	run := h.repo.CheckRuns()[0]
	if strings.Contains(run.Summary, "missing-security-policy") {
		t.Errorf("policy hidden by export-ignore reported missing:\n%s", run.Summary)
	}
}
