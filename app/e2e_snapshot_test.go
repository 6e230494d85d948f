package app

import (
	"strings"
	"testing"

	"github.com/hardener/hardener/checks/scorecard"
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

func TestE2EScorecardBeforeAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs OpenSSF Scorecard twice")
	}
	h := newHarness(t, workflowFiles())
	h.worker.opts.Scorecard = &scorecard.Sandbox{}
	h.install()
	pr := h.repo.PullRequests()[0]
	if !strings.Contains(pr.Body, "| Pinned-Dependencies |") {
		t.Fatalf("no Scorecard table in the PR body:\n%s", pr.Body)
	}
	run := h.repo.CheckRuns()[0]
	if !strings.Contains(run.Summary, "OpenSSF Scorecard") || !strings.Contains(run.Summary, "With the hardening PR") {
		t.Errorf("no Scorecard scores in the summary:\n%s", run.Summary)
	}
	for _, line := range strings.Split(pr.Body, "\n") {
		if strings.HasPrefix(line, "| Pinned-Dependencies") || strings.HasPrefix(line, "| Security-Policy") {
			t.Log(line)
		}
	}
}

// The files a rule reads come from its metadata: package.json configures
// Renovate, so one hidden by export-ignore is fetched from the tree and
// the repository is not told it lacks dependency updates.
func TestE2EExportIgnoredRenovateConfigIsSeen(t *testing.T) {
	files := workflowFiles()
	files[".gitattributes"] = "package.json export-ignore\n"
	files["package.json"] = `{"name": "x", "renovate": {"extends": ["config:recommended"]}}` + "\n"
	h := newHarness(t, files)
	h.install()
	run := h.repo.CheckRuns()[0]
	if strings.Contains(run.Summary, "missing-dependency-updates") {
		t.Errorf("Renovate config hidden by export-ignore not seen:\n%s", run.Summary)
	}
	if _, ok := h.repo.File(HardeningBranch, ".github/dependabot.yml"); ok {
		t.Error("dependabot.yml proposed although Renovate is configured")
	}
}
