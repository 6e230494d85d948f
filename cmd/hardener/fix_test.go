package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

// fakeUpstream serves the actions the sample repository uses.
func fakeUpstream(t *testing.T) *githubfake.Fake {
	t.Helper()
	f := githubfake.New(t)
	for _, a := range [][3]string{
		{"actions/checkout", "v4", "v4.2.2"}, {"actions/upload-artifact", "v4", "v4.6.2"},
		{"actions/setup-go", "v5", "v5.5.0"}, {"actions/cache", "v4", "v4.2.3"},
		{"actions/github-script", "v7", "v7.0.1"}, {"golangci/golangci-lint-action", "v6", "v6.5.2"},
		{"softprops/action-gh-release", "v2", "v2.3.2"},
	} {
		owner, name, _ := strings.Cut(a[0], "/")
		r := f.AddRepo(owner, name, map[string]string{"action.yml": "runs: {using: node20, main: i.js}\n"})
		r.Tag(a[2], r.BranchSHA("main"), false)
		r.Tag(a[1], r.BranchSHA("main"), true)
	}
	f.AddRepo("example-org", "shared-workflows", map[string]string{".github/workflows/go-release.yml": "on: workflow_call\njobs: {}\n"})
	return f
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestFixCommand runs `hardener fix` like a user: the dry run prints a diff
// and writes nothing; the real run writes the files; the scan afterwards
// has no finding the applied remediations own (except what they reported
// for review).
func TestFixCommand(t *testing.T) {
	f := fakeUpstream(t)
	t.Setenv("GITHUB_API_URL", f.URL())
	t.Setenv("GITHUB_TOKEN", f.DefaultToken())
	dir := copyTree(t, sample)
	only := "--only=permissions,pin-actions,security-policy,dependabot"
	ci := filepath.Join(dir, ".github", "workflows", "ci.yml")
	before, _ := os.ReadFile(ci)

	code, diff, stderr := runCLI(t, "fix", "--dry-run", only, dir)
	if code != 0 {
		t.Fatalf("dry run exit %d: %s", code, stderr)
	}
	for _, want := range []string{"+permissions:", "+  contents: read", "actions/checkout@", "# v4.2.2", "--- /dev/null\n+++ b/SECURITY.md"} {
		if !strings.Contains(diff, want) {
			t.Errorf("dry-run diff lacks %q", want)
		}
	}
	if after, _ := os.ReadFile(ci); string(after) != string(before) {
		t.Fatal("--dry-run wrote a file")
	}

	code, out, stderr := runCLI(t, "fix", only, dir)
	if code != 0 {
		t.Fatalf("fix exit %d: %s", code, stderr)
	}
	for _, id := range []string{"permissions:", "pin-actions:", "security-policy:", "dependabot:"} {
		if !strings.Contains(out, id) {
			t.Errorf("fix output does not mention %s:\n%s", id, out)
		}
	}
	if !strings.Contains(stderr, "note: .github/workflows/release.yml") {
		t.Errorf("the reusable workflow left on its tag is not reported:\n%s", stderr)
	}
	_, jsonOut, _ := runCLI(t, "scan", "--format", "json", "--scorecard=false", dir)
	for _, rule := range []string{`"missing-permissions"`, `"missing-security-policy"`, `"missing-dependency-updates"`} {
		if strings.Contains(jsonOut, rule) {
			t.Errorf("after fix the scan still reports %s", rule)
		}
	}
	if n := strings.Count(jsonOut, `"unpinned-uses"`); n != 1 { // the reusable workflow in a job with id-token: write
		t.Errorf("after fix %d unpinned-uses findings, want 1", n)
	}
	code, out, _ = runCLI(t, "fix", only, dir)
	if code != 0 || !strings.Contains(out, "nothing to fix") {
		t.Errorf("second fix: exit %d, %q", code, out)
	}
}

func TestFixUsage(t *testing.T) {
	t.Parallel()
	if code, _, stderr := runCLI(t, "fix", "--only", "pin-everything", sample); code != 2 || !strings.Contains(stderr, "valid: permissions, pin-actions") {
		t.Errorf("unknown remediation: exit %d, %q", code, stderr)
	}
	if code, _, _ := runCLI(t, "fix", "--default-token-permissions", "admin", sample); code != 2 {
		t.Errorf("bad --default-token-permissions accepted")
	}
}
