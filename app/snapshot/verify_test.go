package snapshot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

// fetchFake fetches owner/name at ref from the fake.
func fetchFake(t *testing.T, f *githubfake.Fake, ref string) *Tree {
	t.Helper()
	tr, err := (&Fetcher{}).Fetch(context.Background(), f.Client(), "octo-org", "big", ref)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// Every snapshot is checked against the git tree, even when the archive
// shows no .gitattributes and does have a .github folder.
func TestHostileSnapshotAlwaysVerified(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	r := f.AddRepo("octo-org", "big", map[string]string{
		".gitattributes":               ".gitattributes export-ignore\n.github/workflows/hidden.yml export-ignore\n",
		".github/workflows/ci.yml":     "on: push\njobs: {}\n",
		".github/workflows/hidden.yml": "on: pull_request_target\njobs: {}\n",
	})
	tr := fetchFake(t, f, r.BranchSHA("main"))
	if !tr.Verified {
		t.Fatal("snapshot not verified")
	}
	if got := string(tr.Files[".github/workflows/hidden.yml"].Data); !strings.Contains(got, "pull_request_target") {
		t.Errorf("hidden workflow not read from the tree: %q", got)
	}
	if n := f.Count("git/get-tree"); n != 1 {
		t.Errorf("tree requests = %d, want 1", n)
	}
}

// A truncated tree: .github/, the root and docs/ are listed from their own
// trees, a rewritten action.yml beyond the listing is read one by one, and
// nothing at an unlisted place may be created.
func TestHostileTruncatedTreeFallsBack(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		".gitattributes":               ".gitattributes export-ignore\n.github/workflows/hidden.yml export-ignore\nsub/deep/action.yml export-subst\n",
		".github/workflows/hidden.yml": "on: pull_request_target\njobs: {}\n",
		"docs/SECURITY.md":             "mail us\n",
		"sub/deep/action.yml":          "name: $Format:%H$\nruns: {using: composite, steps: []}\n",
	}
	for i := range 50 {
		files[fmt.Sprintf(".assets/f%02d", i)] = "x\n"
	}
	f := githubfake.New(t, githubfake.TreeEntryLimit(10))
	r := f.AddRepo("octo-org", "big", files)
	tr := fetchFake(t, f, r.BranchSHA("main"))
	if got := string(tr.Files[".github/workflows/hidden.yml"].Data); !strings.Contains(got, "pull_request_target") {
		t.Errorf("hidden workflow beyond the truncated tree not read: %q", got)
	}
	if got := string(tr.Files["sub/deep/action.yml"].Data); got != files["sub/deep/action.yml"] {
		t.Errorf("action.yml = %q, want git's content, not the archive's substitution", got)
	}
	if _, ok := tr.Files[".assets/f49"]; !ok {
		t.Error("a file beyond the truncated tree was dropped from the snapshot")
	}
	if len(tr.Unread()) != 0 {
		t.Errorf("unread = %v", tr.Unread())
	}
	refused, err := tr.CheckWritable(context.Background(), f.Client(), map[string][]byte{
		".github/dependabot.yml": nil, "sub/other/Dockerfile": nil, ".github/workflows/hidden.yml": nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(refused, ",") == "" || contains(refused, ".github/dependabot.yml") || !contains(refused, "sub/other/Dockerfile") || !contains(refused, ".github/workflows/hidden.yml") {
		t.Errorf("refused = %v, want the unlisted place and the existing file, not the new file in .github/", refused)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
