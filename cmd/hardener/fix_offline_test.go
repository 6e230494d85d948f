package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixOffline: --offline runs the remediations that work on the
// checkout alone, skips and reports the ones that need the network, and
// never announces a network call; it needs neither GITHUB_TOKEN nor
// GITHUB_API_URL.
func TestFixOffline(t *testing.T) {
	t.Setenv("GITHUB_API_URL", "http://127.0.0.1:1") // would fail if anything called it
	dir := copyTree(t, sample)
	code, out, stderr := runCLI(t, "fix", "--offline", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"skipped pin-actions: offline: it resolves action tags to commit SHAs through the GitHub API",
		"skipped pin-images: offline: it looks up image digests at container registries",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "--offline skips it") || strings.Contains(stderr, "not pinned: no GitHub API access") {
		t.Errorf("an offline run talks about the network per ref:\n%s", stderr)
	}
	if !strings.Contains(out, "permissions:") {
		t.Errorf("the permissions remediation did not run:\n%s", out)
	}
	ci, _ := os.ReadFile(filepath.Join(dir, ".github", "workflows", "ci.yml"))
	if !strings.Contains(string(ci), "actions/checkout@v4\n") {
		t.Errorf("an offline run pinned an action:\n%s", ci)
	}
}

// TestFixAnnouncesNetwork: before resolving anything, fix says which
// remediations will reach the network and where.
func TestFixAnnouncesNetwork(t *testing.T) {
	f := fakeUpstream(t)
	t.Setenv("GITHUB_API_URL", f.URL())
	t.Setenv("GITHUB_TOKEN", f.DefaultToken())
	dir := copyTree(t, sample)
	// pin-images would reach real registries: its notice is checked below
	// without running it.
	code, _, stderr := runCLI(t, "fix", "--dry-run", "--only=permissions,pin-actions", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "hardener fix: pin-actions resolves action tags to commit SHAs through the GitHub API at " + f.URL() + " (--offline skips it)"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	snap, _, err := loadCheckout(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	announceNetwork(&b, []string{"permissions", "pin-images"}, snap)
	want = "hardener fix: pin-images looks up image digests at container registries: docker.io (--offline skips it)\n"
	if b.String() != want {
		t.Errorf("pin-images notice %q, want %q", b.String(), want)
	}
	if code, _, stderr := runCLI(t, "fix", "--dry-run", "--only=permissions", dir); code != 0 || strings.Contains(stderr, "--offline skips it") {
		t.Errorf("a run without network remediations announced one (exit %d):\n%s", code, stderr)
	}
}
