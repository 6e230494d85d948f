package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/remediations/fixer"
)

// TestFixOnlyRefresh runs `hardener fix --only refresh`: the stale version
// comment of a pinned action is corrected in place (CRLF and the rest of
// the line kept), nothing new is pinned, an exempted image is not looked
// up, and a second run has nothing to do.
func TestFixOnlyRefresh(t *testing.T) {
	f := fakeUpstream(t)
	t.Setenv("GITHUB_API_URL", f.URL())
	t.Setenv("GITHUB_TOKEN", f.DefaultToken())
	checkout := f.Repo("actions", "checkout").BranchSHA("main")
	dir := t.TempDir()
	ci := filepath.Join(dir, ".github", "workflows", "ci.yml")
	src := "on: push\r\npermissions: {}\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n" +
		"    container: registry.example/team/builder:1.4@sha256:" + strings.Repeat("0", 64) + "\r\n" +
		"    steps:\r\n" +
		"      - uses: actions/checkout@" + checkout + " # v3.0.0 (bumped by a bot)\r\n" +
		"      - uses: actions/setup-go@v5\r\n"
	if err := os.MkdirAll(filepath.Dir(ci), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ci, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"fix", "--only", "refresh", "--exempt", "registry.example/*"}

	code, diff, stderr := runCLI(t, append(append([]string{}, args...), "--dry-run", dir)...)
	if code != 0 {
		t.Fatalf("dry run exit %d: %s", code, stderr)
	}
	added, removed := 0, 0
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			removed++
		}
	}
	if !strings.Contains(diff, "+      - uses: actions/checkout@"+checkout+" # v4.2.2 (bumped by a bot)\r\n") || added != 1 || removed != 1 {
		t.Errorf("dry-run diff (+%d -%d):\n%s", added, removed, diff)
	}

	code, out, stderr := runCLI(t, append(args, dir)...)
	if code != 0 {
		t.Fatalf("fix exit %d: %s", code, stderr)
	}
	// stderr holds only the notice that refresh reaches the network.
	notice := "hardener fix: refresh " + fixer.Network(checks.FixRefresh) + " (--offline skips it)\n"
	if !strings.Contains(out, "refresh: Refresh pins") || stderr != notice {
		t.Errorf("stdout %q, stderr %q", out, stderr)
	}
	got, _ := os.ReadFile(ci)
	if want := strings.Replace(src, "# v3.0.0", "# v4.2.2", 1); string(got) != want {
		t.Errorf("ci.yml:\n%q\nwant:\n%q", got, want)
	}

	code, out, _ = runCLI(t, append(args, dir)...)
	if code != 0 || !strings.Contains(out, "nothing to fix") {
		t.Errorf("second run: exit %d, %q", code, out)
	}
}
