package fixer_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/fixer"
	"github.com/hardener/hardener/remediations/pin"
)

// upstream adds the action repositories the sample uses to the fake, each
// with a full version tag and an annotated major tag on the same commit.
func upstream(f *githubfake.Fake) {
	for _, a := range []struct{ owner, name, major, full string }{
		{"actions", "checkout", "v4", "v4.2.2"},
		{"actions", "upload-artifact", "v4", "v4.6.2"},
		{"actions", "setup-go", "v5", "v5.5.0"},
		{"actions", "cache", "v4", "v4.2.3"},
		{"actions", "github-script", "v7", "v7.0.1"},
		{"golangci", "golangci-lint-action", "v6", "v6.5.2"},
		{"softprops", "action-gh-release", "v2", "v2.3.2"},
	} {
		r := f.AddRepo(a.owner, a.name, map[string]string{"action.yml": "name: " + a.name + "\nruns: {using: node20, main: index.js}\n"})
		sha := r.BranchSHA("main")
		r.Tag(a.full, sha, false)
		r.Tag(a.major, sha, true)
	}
	f.AddRepo("example-org", "shared-workflows", map[string]string{
		".github/workflows/go-release.yml": "on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
	})
}

// fakeRegistry answers manifest HEADs with a digest derived from the name.
func fakeRegistry(t testing.TB) *registry.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/manifests/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		w.Header().Set("Docker-Content-Digest", fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(r.URL.Path))))
	}))
	t.Cleanup(srv.Close)
	return &registry.Client{Endpoints: map[string]string{"docker.io": srv.URL}}
}

// copySample copies examples/insecure into a temporary directory.
func copySample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := "../../examples/insecure"
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestFixSample fixes the sample repository with every default
// remediation and checks the result the way a reviewer would: the scan
// finds nothing the applied remediations own, no workflow gained an
// actionlint error (the fixer drops those), and Scorecard improves.
func TestFixSample(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	upstream(f)
	dir := copySample(t)
	snap := repo.New(os.DirFS(dir), dir)
	ctx := context.Background()
	cfg := config.Default()
	before := checks.Scan(ctx, snap, checks.Options{Exempt: cfg.Exempt})
	env := &remediations.Env{
		Snapshot: snap, Config: cfg, Findings: before.Findings,
		Resolver:                resolve.New(f.Client()),
		Images:                  pin.Registry{Client: fakeRegistry(t)},
		DefaultTokenPermissions: "write",
	}
	out, err := fixer.Run(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Dropped) > 0 {
		t.Errorf("dropped changes: %+v", out.Dropped)
	}
	applied := map[string]bool{}
	for _, r := range out.Results {
		applied[r.ID] = true
		if r.Explanation == "" || r.Title == "" {
			t.Errorf("%s: no explanation or title", r.ID)
		}
	}
	for _, id := range []string{"permissions", "pin-actions", "pin-images", "security-policy", "dependabot"} {
		if !applied[id] {
			t.Errorf("%s changed nothing", id)
		}
	}
	// Write the fixed tree and scan it from disk, as a user would.
	for _, p := range out.Paths() {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, out.After[p], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	after := checks.Scan(ctx, repo.New(os.DirFS(dir), dir), checks.Options{Exempt: cfg.Exempt})
	noted := map[string]bool{}
	reviewed := map[string]bool{} // files with a job left as it is for review
	for _, n := range out.Notes {
		noted[fmt.Sprintf("%s:%d", n.File, n.Line)] = true
		if strings.Contains(n.Message, "left as it is") {
			reviewed[n.File] = true
		}
		t.Logf("note %s:%d %s", n.File, n.Line, n.Message)
	}
	for _, fd := range after.Findings {
		// Left alone on purpose and reported: a reusable workflow in a job
		// whose token can mint OIDC tokens (noted at its line), or a job
		// whose needs are unknown keeping its grant (noted at the job key,
		// two lines above the block it was given).
		if noted[fmt.Sprintf("%s:%d", fd.Primary.File, fd.Primary.Line)] ||
			noted[fmt.Sprintf("%s:%d", fd.Primary.File, fd.Primary.Line-2)] {
			continue
		}
		// The workflow block a job left for review inherits stays as it was.
		if fd.Rule == checks.RuleExcessivePermissions && reviewed[fd.Primary.File] {
			continue
		}
		if applied[fd.Remediation] {
			t.Errorf("after fix, %s still reports %s:%d: %s", fd.Rule, fd.Primary.File, fd.Primary.Line, fd.Message)
		}
	}
	if len(after.Findings) >= len(before.Findings) {
		t.Errorf("findings %d → %d", len(before.Findings), len(after.Findings))
	}
	sc, err := scorecard.Run(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Token-Permissions stays low: release.yml keeps write-all for the job
	// that calls a reusable workflow Hardener cannot read.
	for _, name := range []string{"Security-Policy", "Dependency-Update-Tool"} {
		if sc.Scores[name] != 10 {
			t.Errorf("Scorecard %s = %d after fix, want 10 (%s)", name, sc.Scores[name], sc.Reasons[name])
		}
	}
	for _, u := range sc.Unpinned {
		if !cfg.Exempt(u.Name+"@"+u.Ref) && u.Name != "example-org/shared-workflows/.github/workflows/go-release.yml" {
			t.Errorf("Scorecard still counts %s@%s at %s:%d as unpinned", u.Name, u.Ref, u.File, u.Line)
		}
	}
	t.Logf("findings %d → %d; %d files changed; Scorecard after: %v", len(before.Findings), len(after.Findings), len(out.After), sc.Scores)
}
