package resolve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRepo is one repository of the fake: a commit graph, branches, and
// tags that are either lightweight (name → commit) or annotated (name → tag
// object, resolved through objs, possibly in chains).
type fakeRepo struct {
	defaultBranch string
	private       bool
	parents       map[string]string // commit → parent ("" for a root)
	branches      map[string]string // name → head commit
	tags          map[string]string // name → commit or tag object SHA
	objs          map[string]string // tag object SHA → target (commit or tag object)
}

// fakeGitHub speaks the subset of GitHub's REST wire format the resolver
// uses and counts requests. Unknown routes fail the test.
type fakeGitHub struct {
	t     *testing.T
	mu    sync.Mutex
	repos map[string]*fakeRepo // "owner/repo"
	calls []string             // "GET path" of every request
	// fail answers the next n requests whose path (followed by "$")
	// contains the key with 500.
	fail map[string]int
	// gate, when set, is waited on by every request (concurrency tests).
	gate chan struct{}
}

func newFake(t *testing.T) (*fakeGitHub, *Resolver) {
	t.Helper()
	f := &fakeGitHub{t: t, repos: map[string]*fakeRepo{}, fail: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	gh, err := NewClient(srv.URL, "test-token", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return f, New(gh)
}

func (f *fakeGitHub) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeGitHub) reset() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(req.URL.Path, "/api/v3")
	f.calls = append(f.calls, req.Method+" "+path)
	if req.Method != http.MethodGet {
		f.t.Errorf("unexpected %s %s", req.Method, path)
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if got := req.Header.Get("Authorization"); got != "Bearer test-token" {
		f.t.Errorf("%s: Authorization %q", path, got)
	}
	for k, n := range f.fail {
		if n > 0 && strings.Contains(path+"$", k) {
			f.fail[k] = n - 1
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Server Error"})
			return
		}
	}
	rest, ok := strings.CutPrefix(path, "/repos/")
	parts := strings.SplitN(rest, "/", 3)
	if !ok || len(parts) < 2 {
		f.t.Errorf("unexpected route %s", path)
		http.Error(w, "route", http.StatusBadRequest)
		return
	}
	repo := f.repos[strings.ToLower(parts[0]+"/"+parts[1])]
	if repo == nil {
		notFound(w)
		return
	}
	if len(parts) == 2 {
		writeJSON(w, 200, map[string]any{"name": parts[1], "default_branch": repo.defaultBranch, "private": repo.private})
		return
	}
	sub := parts[2]
	switch {
	case sub == "git/matching-refs/tags/" || sub == "git/matching-refs/tags":
		f.listTags(w, req, repo)
	case strings.HasPrefix(sub, "git/ref/tags/"):
		name := strings.TrimPrefix(sub, "git/ref/tags/")
		if sha, ok := repo.tags[name]; ok {
			writeJSON(w, 200, refJSON("refs/tags/"+name, sha, repo))
			return
		}
		notFound(w)
	case strings.HasPrefix(sub, "git/ref/heads/"):
		name := strings.TrimPrefix(sub, "git/ref/heads/")
		if sha, ok := repo.branches[name]; ok {
			writeJSON(w, 200, refJSON("refs/heads/"+name, sha, repo))
			return
		}
		notFound(w)
	case strings.HasPrefix(sub, "git/tags/"):
		sha := strings.TrimPrefix(sub, "git/tags/")
		target, ok := repo.objs[sha]
		if !ok {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{"sha": sha, "tag": "x", "object": objJSON(target, repo)})
	case strings.HasPrefix(sub, "compare/"):
		f.compare(w, strings.TrimPrefix(sub, "compare/"), repo)
	case sub == "branches":
		var out []map[string]any
		for _, n := range sortedKeys(repo.branches) {
			out = append(out, map[string]any{"name": n, "commit": map[string]string{"sha": repo.branches[n]}})
		}
		writeJSON(w, 200, out)
	case strings.HasPrefix(sub, "commits/"):
		if req.Header.Get("Accept") != "application/vnd.github.v3.sha" {
			f.t.Errorf("commits: Accept %q", req.Header.Get("Accept"))
		}
		short := strings.TrimPrefix(sub, "commits/")
		var match []string
		for c := range repo.parents {
			if strings.HasPrefix(c, short) {
				match = append(match, c)
			}
		}
		switch len(match) {
		case 0:
			notFound(w)
		case 1:
			w.WriteHeader(200)
			fmt.Fprint(w, match[0])
		default:
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "ambiguous"})
		}
	default:
		f.t.Errorf("unexpected route %s", path)
		http.Error(w, "route", http.StatusBadRequest)
	}
}

// listTags pages the tags in name order, honouring per_page and emitting
// a Link header as GitHub does.
func (f *fakeGitHub) listTags(w http.ResponseWriter, req *http.Request, repo *fakeRepo) {
	names := sortedKeys(repo.tags)
	per, _ := strconv.Atoi(req.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	page, _ := strconv.Atoi(req.URL.Query().Get("page"))
	if page <= 0 {
		page = 1
	}
	lo, hi := min((page-1)*per, len(names)), min(page*per, len(names))
	if hi < len(names) {
		u := *req.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(page+1))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, req.Host, u.String()))
	}
	out := []any{}
	for _, n := range names[lo:hi] {
		out = append(out, refJSON("refs/tags/"+n, repo.tags[n], repo))
	}
	writeJSON(w, 200, out)
}

func (f *fakeGitHub) compare(w http.ResponseWriter, basehead string, repo *fakeRepo) {
	base, head, ok := strings.Cut(basehead, "...")
	if !ok {
		f.t.Errorf("compare: bad basehead %q", basehead)
	}
	baseSHA, ok := repo.branches[base]
	if !ok {
		if sha, ok2 := repo.tags[base]; ok2 {
			baseSHA = repo.peel(sha)
		} else if _, ok2 := repo.parents[base]; ok2 {
			baseSHA = base
		}
	}
	if _, known := repo.parents[head]; baseSHA == "" || !known {
		notFound(w)
		return
	}
	status := "diverged"
	switch {
	case baseSHA == head:
		status = "identical"
	case repo.ancestor(head, baseSHA):
		status = "behind"
	case repo.ancestor(baseSHA, head):
		status = "ahead"
	}
	writeJSON(w, 200, map[string]any{"status": status, "commits": []any{}})
}

// ancestor reports whether a is reachable from c by parents.
func (r *fakeRepo) ancestor(a, c string) bool {
	for ; c != ""; c = r.parents[c] {
		if c == a {
			return true
		}
	}
	return false
}

func (r *fakeRepo) peel(sha string) string {
	for {
		t, ok := r.objs[sha]
		if !ok {
			return sha
		}
		sha = t
	}
}

func objJSON(sha string, repo *fakeRepo) map[string]string {
	typ := "commit"
	if _, ok := repo.objs[sha]; ok {
		typ = "tag"
	}
	return map[string]string{"sha": sha, "type": typ}
}

func refJSON(ref, sha string, repo *fakeRepo) map[string]any {
	return map[string]any{"ref": ref, "object": objJSON(sha, repo)}
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{
		"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// sha makes a readable 40-hex SHA from a short label: sha("c1") = "c1000…".
func sha(label string) string {
	return label + strings.Repeat("0", 40-len(label))
}

// newRateLimited returns the URL of a server that answers every request
// as GitHub does when the primary (or, with secondary set, the secondary)
// rate limit is exhausted.
func newRateLimited(t *testing.T, secondary bool) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if secondary {
			w.Header().Set("Retry-After", "60")
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "You have exceeded a secondary rate limit",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})
			return
		}
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "API rate limit exceeded"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
