package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/remediations/pin"
)

// fakeRegistry is an OCI registry that serves one digest per tag and
// records every request.
type fakeRegistry struct {
	srv *httptest.Server

	mu       sync.Mutex
	digests  map[string]string // "repository:tag" → digest
	requests []string
}

func newFakeRegistry(t *testing.T, digests map[string]string) *fakeRegistry {
	r := &fakeRegistry{digests: digests}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests = append(r.requests, req.Method+" "+req.URL.Path)
		repo, tag, ok := strings.Cut(strings.TrimPrefix(req.URL.Path, "/v2/"), "/manifests/")
		d, known := r.digests[repo+":"+tag]
		if !ok || !known {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		w.Header().Set("Docker-Content-Digest", d)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// client is a registry client with a cold cache that finds registry.example
// at the fake (an endpoint named by IP address, as a test or a private
// mirror would).
func (r *fakeRegistry) client() pin.Registry {
	return pin.Registry{Client: &registry.Client{Endpoints: map[string]string{"registry.example": r.srv.URL}}}
}

func (r *fakeRegistry) set(repoTag, digest string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.digests[repoTag] = digest
}

// take returns the requests so far and forgets them.
func (r *fakeRegistry) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.requests
	r.requests = nil
	return out
}

func digestOf(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// refreshRepo is a repository that is hardened already, apart from the
// digests its tags moved to since: actions pinned with their comments,
// images pinned, a least-privilege token. Only the pin remediations and
// refresh are on, so that the PR shows what refresh does and nothing else.
func refreshRepo(t *testing.T, reg *fakeRegistry) (*harness, string) {
	h := newHarness(t, map[string]string{"README.md": "# hello\n",
		".github/hardener.yml": "remediations: {permissions: false, security-policy: false, dependabot: false}\n"})
	h.worker.opts.Images = reg.client()
	checkout := h.fake.Repo("actions", "checkout").BranchSHA("main")
	ci := "name: ci\r\non: [push]\r\npermissions:\r\n  contents: read\r\njobs:\r\n  build:\r\n    runs-on: ubuntu-latest\r\n" +
		"    container:\r\n      image: registry.example/team/builder:1.4@" + digestOf("0") + "  # the toolchain\r\n" +
		"    services:\r\n      cache: {image: 'registry.example/library/redis:7@" + digestOf("2") + "'}\r\n" +
		"    steps:\r\n      - uses: actions/checkout@" + checkout + " # v4.2.2\r\n" +
		"      - uses: docker://registry.example/team/lint:2@" + digestOf("3") + "\r\n"
	h.repo.Commit("main", "ci", map[string]string{".github/workflows/ci.yml": ci})
	return h, ci
}

// ours lists the first lines of the commits the hardening branch has on
// top of the default branch.
func (h *harness) ours() []string {
	main := h.repo.BranchSHA("main")
	var out []string
	for _, c := range h.repo.Commits(HardeningBranch) {
		if c.SHA == main {
			break
		}
		out = append(out, strings.SplitN(c.Message, "\n", 2)[0])
	}
	return out
}

func (h *harness) noWrites(what string) {
	h.t.Helper()
	if w := h.writes(); len(w) != 0 {
		h.t.Errorf("%s wrote: %v", what, w)
	}
}

// TestE2ERefreshMovesDigests: a tag that moved gives one commit that
// changes that digest and nothing else; a rescan with nothing new writes
// nothing and asks the registry nothing beyond the (cached) resolution; a
// tag that moves again while the PR is open updates it in place; once a
// maintainer closed it, another move alone does not reopen it.
func TestE2ERefreshMovesDigests(t *testing.T) {
	reg := newFakeRegistry(t, map[string]string{
		"team/builder:1.4": digestOf("1"), // moved from 0
		"library/redis:7":  digestOf("2"), // unchanged
		"team/lint:2":      digestOf("3"), // unchanged
	})
	h, ci := refreshRepo(t, reg)
	h.rescan()
	if got := reg.take(); len(got) != 3 {
		t.Errorf("registry requests %q, want one HEAD per distinct tag", got)
	}
	prs := h.repo.PullRequests()
	if len(prs) != 1 || prs[0].State != "open" {
		t.Fatalf("pull requests %+v, want one open", prs)
	}
	if got := h.ours(); len(got) != 1 || got[0] != "Refresh pins: image digests and version comments" {
		t.Fatalf("commits %q, want the one refresh commit", got)
	}
	want := strings.Replace(ci, digestOf("0"), digestOf("1"), 1)
	if got, _ := h.repo.File(HardeningBranch, ".github/workflows/ci.yml"); got != want {
		t.Errorf("ci.yml on the branch:\n%q\nwant:\n%q", got, want)
	}
	mainFiles, branchFiles := h.repo.Files("main"), h.repo.Files(HardeningBranch)
	for p, b := range branchFiles {
		if p != ".github/workflows/ci.yml" && mainFiles[p] != b {
			t.Errorf("%s changed", p)
		}
	}
	if len(mainFiles) != len(branchFiles) {
		t.Errorf("files: %d on main, %d on the branch", len(mainFiles), len(branchFiles))
	}
	body := prs[0].Body
	for _, s := range []string{"### Refresh pins", "registry.example/team/builder:1.4@" + digestOf("1"), " pins="} {
		if !strings.Contains(body, s) {
			t.Errorf("PR body lacks %q:\n%s", s, body)
		}
	}

	// Nothing moved: the registry answers from the cache, nothing is written.
	h.fake.ResetCounts()
	h.rescan()
	if got := reg.take(); len(got) != 0 {
		t.Errorf("rescan with a warm cache asked the registry %q", got)
	}
	h.noWrites("rescan, nothing moved")
	repoN, _, ops := h.repoRequests()
	t.Logf("rescan, nothing moved: %d requests to the repository: %v", repoN, ops)

	// The next day (cache cold), still nothing moved: one HEAD per tag.
	h.worker.opts.Images = reg.client()
	h.fake.ResetCounts()
	h.rescan()
	if got := reg.take(); len(got) != 3 {
		t.Errorf("cold rescan asked the registry %q, want one HEAD per distinct tag", got)
	}
	h.noWrites("cold rescan, nothing moved")

	// The tag moves again while the PR is open: the PR follows it.
	reg.set("team/builder:1.4", digestOf("4"))
	h.worker.opts.Images = reg.client()
	h.rescan()
	prs = h.repo.PullRequests()
	if len(prs) != 1 || prs[0].Body == body {
		t.Fatalf("the open PR was not updated: %d PRs", len(prs))
	}
	want = strings.Replace(ci, digestOf("0"), digestOf("4"), 1)
	if got, _ := h.repo.File(HardeningBranch, ".github/workflows/ci.yml"); got != want {
		t.Errorf("ci.yml after the second move:\n%q\nwant:\n%q", got, want)
	}
	if got := h.ours(); len(got) != 1 {
		t.Errorf("commits %q, want one", got)
	}

	// Closed by a maintainer: a further move alone does not reopen it.
	if _, _, err := h.fake.Client().PullRequests.Edit(ctxWithTestLogger(t), h.repo.Owner, h.repo.Name, prs[0].Number,
		&github.PullRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	reg.set("team/builder:1.4", digestOf("5"))
	h.worker.opts.Images = reg.client()
	h.fake.ResetCounts()
	h.rescan()
	if prs := h.repo.PullRequests(); len(prs) != 1 || prs[0].State != "closed" {
		t.Errorf("after a move with the PR closed: %+v", prs)
	}
	h.noWrites("rescan after the PR was closed")
}

// TestE2ERefreshNothingMoved: when every tag is where its pin says, no PR
// is opened and the only requests beyond a plain rescan are the registry
// resolutions. (The head has no check run yet, so the rescan posts one:
// that is its only write.)
func TestE2ERefreshNothingMoved(t *testing.T) {
	reg := newFakeRegistry(t, map[string]string{
		"team/builder:1.4": digestOf("0"), "library/redis:7": digestOf("2"), "team/lint:2": digestOf("3"),
	})
	h, _ := refreshRepo(t, reg)
	h.fake.ResetCounts()
	h.rescan()
	if n := len(h.repo.PullRequests()); n != 0 {
		t.Errorf("%d pull requests, want none", n)
	}
	if w := h.writes(); len(w) != 1 || w[0] != "POST checks/create" {
		t.Errorf("rescan, nothing moved wrote %v, want only the head's check run", w)
	}
	if got := reg.take(); len(got) != 3 {
		t.Errorf("registry requests %q, want one HEAD per distinct tag", got)
	}
	repoN, _, ops := h.repoRequests()
	if repoN > 5 {
		t.Errorf("rescan made %d repository requests, want at most 5: %v", repoN, ops)
	}
}
