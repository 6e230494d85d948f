package pin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hardener/hardener/internal/resolve"
)

// sha makes a readable 40-hex SHA from a short hex label.
func sha(label string) string { return label + strings.Repeat("0", 40-len(label)) }

// fakeRepo is a repository of the fake: commits with their parent,
// branches, and tags (a tag naming a key of objs is annotated).
type fakeRepo struct {
	branches map[string]string // name → head
	parents  map[string]string // commit → parent ("" for a root)
	tags     map[string]string // name → commit or tag object
	objs     map[string]string // tag object → commit
}

// fakeGitHub speaks the part of GitHub's REST API that internal/resolve
// uses, and records every request. Default branch is always "main".
type fakeGitHub struct {
	t     testing.TB
	mu    sync.Mutex
	repos map[string]*fakeRepo
	calls []string
}

// universe is the set of upstream repositories the tests pin against.
func universe(t testing.TB) *fakeGitHub {
	return &fakeGitHub{t: t, repos: map[string]*fakeRepo{
		"actions/checkout": {
			branches: map[string]string{"main": sha("c3")},
			parents:  map[string]string{sha("c1"): "", sha("c2"): sha("c1"), sha("c3"): sha("c2")},
			tags: map[string]string{"v3": sha("c1"), "v3.5.1": sha("c1"), "v4": sha("c2"), "v4.2": sha("c2"),
				"v4.2.2": sha("c2"), "v4.2.1": sha("c3")},
		},
		"actions/setup-go": {
			branches: map[string]string{"main": sha("d2")},
			parents:  map[string]string{sha("d1"): "", sha("d2"): sha("d1")},
			tags:     map[string]string{"v5": sha("d1"), "v5.0.2": sha("e1")},
			objs:     map[string]string{sha("e1"): sha("d1")},
		},
		"octo/reusable": {
			branches: map[string]string{"main": sha("f2"), "dev": sha("f2")},
			parents:  map[string]string{sha("f1"): "", sha("f2"): sha("f1")},
			tags:     map[string]string{"v1": sha("f1"), "v1.0.3": sha("f1")},
		},
		"tj-actions/changed-files": {
			branches: map[string]string{"main": sha("a2")},
			parents:  map[string]string{sha("a1"): "", sha("a2"): sha("a1"), sha("bad"): sha("a1")},
			tags:     map[string]string{"v45": sha("bad"), "v44.0.0": sha("a1")},
		},
		"slsa-framework/slsa-github-generator": {
			branches: map[string]string{"main": sha("b1")},
			parents:  map[string]string{sha("b1"): ""},
			tags:     map[string]string{"v2.0.0": sha("b1")},
		},
	}}
}

// resolver returns a cold Resolver that talks to the fake.
func (f *fakeGitHub) resolver() *resolve.Resolver {
	srv := httptest.NewServer(f)
	f.t.Cleanup(srv.Close)
	gh, err := resolve.NewClient(srv.URL+"/api/v3", "test-token", srv.Client())
	if err != nil {
		f.t.Fatal(err)
	}
	return resolve.New(gh)
}

func (f *fakeGitHub) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(req.URL.EscapedPath(), "/api/v3")
	f.calls = append(f.calls, path)
	rest, _ := strings.CutPrefix(path, "/repos/")
	parts := strings.SplitN(rest, "/", 3)
	if req.Method != http.MethodGet || len(parts) < 2 {
		f.t.Errorf("unexpected %s %s", req.Method, path)
		http.Error(w, "route", http.StatusBadRequest)
		return
	}
	r := f.repos[strings.ToLower(parts[0]+"/"+parts[1])]
	if r == nil {
		reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if len(parts) == 2 {
		reply(w, 200, map[string]any{"name": parts[1], "default_branch": "main"})
		return
	}
	sub := parts[2]
	switch {
	case strings.HasPrefix(sub, "git/matching-refs/tags"):
		out := []any{}
		for _, n := range sorted(r.tags) {
			out = append(out, r.ref("refs/tags/"+n, r.tags[n]))
		}
		reply(w, 200, out)
	case strings.HasPrefix(sub, "git/ref/heads/"):
		if s, ok := r.branches[strings.TrimPrefix(sub, "git/ref/heads/")]; ok {
			reply(w, 200, r.ref("refs/heads/x", s))
			return
		}
		reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	case strings.HasPrefix(sub, "git/tags/"):
		obj := strings.TrimPrefix(sub, "git/tags/")
		reply(w, 200, map[string]any{"sha": obj, "tag": "t", "object": map[string]string{"sha": r.objs[obj], "type": "commit"}})
	case strings.HasPrefix(sub, "compare/"):
		base, head, _ := strings.Cut(strings.TrimPrefix(sub, "compare/"), "...")
		if _, ok := r.parents[head]; !ok {
			reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		status := "diverged"
		for c := r.branches[base]; c != ""; c = r.parents[c] {
			if c == head {
				status = "behind"
			}
		}
		if r.branches[base] == head {
			status = "identical"
		}
		reply(w, 200, map[string]any{"status": status, "commits": []any{}})
	case sub == "branches":
		out := []any{}
		for _, n := range sorted(r.branches) {
			out = append(out, map[string]any{"name": n, "commit": map[string]string{"sha": r.branches[n]}})
		}
		reply(w, 200, out)
	default:
		f.t.Errorf("unexpected route %s", path)
		http.Error(w, "route", http.StatusBadRequest)
	}
}

func (r *fakeRepo) ref(name, target string) map[string]any {
	typ := "commit"
	if _, ok := r.objs[target]; ok {
		typ = "tag"
	}
	return map[string]any{"ref": name, "object": map[string]string{"sha": target, "type": typ}}
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func sorted(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fakeImages answers digests from a table.
type fakeImages struct {
	mu    sync.Mutex
	calls map[string]int
}

func (f *fakeImages) Digest(_ context.Context, image string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[image]++
	if strings.Contains(image, "missing") {
		return "", errors.New("manifest unknown")
	}
	// A stable fake digest: the image name folded into hex.
	h := make([]byte, 0, 64)
	for i := 0; len(h) < 64; i++ {
		h = append(h, "0123456789abcdef"[(int(image[i%len(image)])+i)%16])
	}
	return "sha256:" + string(h), nil
}

// countingResolver wraps a resolver and counts calls per key.
type countingResolver struct {
	r     actionResolver
	calls map[string]int
}

func (c *countingResolver) Resolve(ctx context.Context, owner, repo, ref string) (resolve.Pin, error) {
	c.calls["resolve "+owner+"/"+repo+"@"+ref]++
	return c.r.Resolve(ctx, owner, repo, ref)
}

func (c *countingResolver) TagsAt(ctx context.Context, owner, repo, sha string) ([]string, error) {
	c.calls["tags "+owner+"/"+repo+"@"+sha]++
	return c.r.TagsAt(ctx, owner, repo, sha)
}
