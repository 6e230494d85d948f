package resolve

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

var (
	c1, c2, c3, c4 = sha("c1"), sha("c2"), sha("c3"), sha("c4")
	c5, f1, t1     = sha("c5"), sha("f1"), sha("e1")
	a1, a2, a3     = sha("a1"), sha("a2"), sha("a3")
	a4, a5, a6     = sha("a4"), sha("a5"), sha("a6")
)

// history is main: c1 ← c2 ← c3 ← c4; releases/v3: c1 ← c5; f1 (a fork's
// commit, fetchable through the parent) and e1 (only tagged) hang off c1.
func history() map[string]string {
	return map[string]string{c1: "", c2: c1, c3: c2, c4: c3, c5: c1, f1: c1, t1: c1}
}

func branches() map[string]string {
	return map[string]string{"main": c4, "releases/v3": c5, "feature": c2}
}

// lightweight: every tag points straight at a commit.
func lightweight() *fakeRepo {
	return &fakeRepo{defaultBranch: "main", parents: history(), branches: branches(),
		tags: map[string]string{
			"v4": c3, "v4.2": c3, "v4.2.2": c3, "v4.2.3-rc.1": c3, "v4.2.1": c2,
			"v3": c5, "v3.1.0": c5, "v1": c1, "v1.2.3": c1, "1.2.3": c1, "1": c1,
			"latest": c4, "v0.9": t1, "bad": f1,
		}}
}

// annotated: tags are tag objects; v5 is a tag of a tag.
func annotated() *fakeRepo {
	return &fakeRepo{defaultBranch: "main", parents: history(), branches: branches(),
		tags: map[string]string{"v4": a1, "v4.2.2": a2, "v4.2.1": a3, "v3": a4, "v5": a5},
		objs: map[string]string{a1: c3, a2: c3, a3: c2, a4: c1, a5: a6, a6: c4},
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		repo      string
		ref       string
		want      Pin
		wantCalls int // cold cache
	}{
		"lightweight major → most specific": {"lw", "v4", Pin{SHA: c3, Tag: "v4.2.2", Branch: "main"}, 3},
		"exact tag":                         {"lw", "v4.2.1", Pin{SHA: c2, Tag: "v4.2.1", Branch: "main"}, 3},
		"v prefix style kept":               {"lw", "v1", Pin{SHA: c1, Tag: "v1.2.3", Branch: "main"}, 3},
		"bare style kept":                   {"lw", "1", Pin{SHA: c1, Tag: "1.2.3", Branch: "main"}, 3},
		"non-version tag":                   {"lw", "latest", Pin{SHA: c4, Tag: "latest", Branch: "main"}, 3},
		"release branch reachability":       {"lw", "v3", Pin{SHA: c5, Tag: "v3.1.0", Branch: "releases/v3"}, 5},
		"branch":                            {"lw", "main", Pin{SHA: c4, Tag: "latest", Branch: "main"}, 2},
		"branch with slash":                 {"lw", "releases/v3", Pin{SHA: c5, Tag: "v3.1.0", Branch: "releases/v3"}, 2},
		"refs/heads prefix":                 {"lw", "refs/heads/feature", Pin{SHA: c2, Tag: "v4.2.1", Branch: "feature"}, 2},
		"full sha":                          {"lw", c2, Pin{SHA: c2, Tag: "v4.2.1", Branch: "main"}, 3},
		"short sha expanded":                {"lw", c3[:7], Pin{SHA: c3, Tag: "v4.2.2", Branch: "main"}, 5},
		// tags, peel v4, repo, compare, peel v4.2.2 (best candidate).
		"annotated major": {"ann", "v4", Pin{SHA: c3, Tag: "v4.2.2", Branch: "main"}, 5},
		// tags, peel v4.2.1, repo, compare, peel v4.2.2 (better, no match).
		"annotated exact": {"ann", "v4.2.1", Pin{SHA: c2, Tag: "v4.2.1", Branch: "main"}, 5},
		// tags, two tag objects, repo, compare.
		"nested annotated": {"ann", "v5", Pin{SHA: c4, Tag: "v5", Branch: "main"}, 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, r := newFake(t)
			f.repos["o/lw"], f.repos["o/ann"] = lightweight(), annotated()
			got, err := r.Resolve(context.Background(), "o", tc.repo, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Owner, tc.want.Repo, tc.want.Ref = "o", tc.repo, tc.ref
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if calls := f.reset(); len(calls) != tc.wantCalls {
				t.Errorf("cold: %d requests, want %d: %q", len(calls), tc.wantCalls, calls)
			}
			if _, err := r.Resolve(context.Background(), "o", tc.repo, tc.ref); err != nil {
				t.Fatal(err)
			}
			if calls := f.reset(); len(calls) != 0 {
				t.Errorf("warm: %d requests, want 0: %q", len(calls), calls)
			}
		})
	}
}

// A second ref of a repository already seen costs only what is new: the
// tag list and default branch are shared.
func TestResolveSharesRepoLookups(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/ann"] = annotated()
	ctx := context.Background()
	if _, err := r.Resolve(ctx, "o", "ann", "v4"); err != nil {
		t.Fatal(err)
	}
	f.reset()
	pin, err := r.Resolve(ctx, "o", "ann", "v4.2.2")
	if err != nil || pin.SHA != c3 || pin.Tag != "v4.2.2" {
		t.Fatalf("got %+v, %v", pin, err)
	}
	// The peel of v4.2.2 and the reachability of c3 are cached already.
	if calls := f.reset(); len(calls) != 0 {
		t.Errorf("%d requests, want 0: %q", len(calls), calls)
	}
}

func TestResolveNeverReturnsTagObject(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/ann"] = annotated()
	for _, ref := range []string{"v4", "v4.2.2", "v4.2.1", "v3", "v5"} {
		pin, err := r.Resolve(context.Background(), "o", "ann", ref)
		if err != nil {
			t.Fatal(ref, err)
		}
		if _, isCommit := f.repos["o/ann"].parents[pin.SHA]; !isCommit {
			t.Errorf("%s: SHA %s is not a commit", ref, pin.SHA)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		repo, ref string
		want      error
	}{
		"unknown repo":        {"missing", "v1", ErrNotFound},
		"unknown ref":         {"lw", "v9", ErrNotFound},
		"unknown tag only":    {"lw", "refs/tags/main", ErrNotFound},
		"unknown full sha":    {"lw", sha("dd"), ErrNotFound},
		"retag to fork":       {"lw", "bad", ErrUnreachable},
		"tagged off-branch":   {"lw", "v0.9", ErrUnreachable},
		"unknown short sha":   {"lw", "ddddddd", ErrNotFound},
		"ambiguous short sha": {"lw", "c000000", ErrNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, r := newFake(t)
			f.repos["o/lw"] = lightweight()
			f.repos["o/lw"].parents[sha("c0000001")] = ""
			f.repos["o/lw"].parents[sha("c0000002")] = ""
			pin, err := r.Resolve(context.Background(), "o", tc.repo, tc.ref)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == ErrUnreachable && pin.SHA == "" {
				t.Error("unreachable pin should carry the SHA for the report")
			}
			f.reset()
			if _, err := r.Resolve(context.Background(), "o", tc.repo, tc.ref); !errors.Is(err, tc.want) {
				t.Fatalf("second err = %v", err)
			}
			if calls := f.reset(); len(calls) != 0 {
				t.Errorf("negative answer not cached: %q", calls)
			}
		})
	}
}

// A retagged commit: the cold request count is bounded (default branch,
// branch list, at most three other branches).
func TestResolveUnreachableRequestCount(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/lw"] = lightweight()
	_, err := r.Resolve(context.Background(), "o", "lw", "bad")
	if !errors.Is(err, ErrUnreachable) {
		t.Fatal(err)
	}
	// tags, repo, compare main, branches, compare ×2 (feature, releases/v3).
	if calls := f.reset(); len(calls) != 6 {
		t.Errorf("%d requests: %q", len(calls), calls)
	}
}

func TestServerErrorNotCached(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"matching-refs", "git/tags/", "compare/", "/o/ann$"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			f, r := newFake(t)
			f.repos["o/ann"] = annotated()
			f.fail[path] = 1
			_, err := r.Resolve(context.Background(), "o", "ann", "v4")
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != http.StatusInternalServerError || errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want a wrapped 500", err)
			}
			pin, err := r.Resolve(context.Background(), "o", "ann", "v4")
			if err != nil || pin.SHA != c3 {
				t.Fatalf("retry: %+v, %v", pin, err)
			}
		})
	}
}

func TestRateLimitPassesThrough(t *testing.T) {
	t.Parallel()
	for _, secondary := range []bool{false, true} {
		gh, err := NewClient(newRateLimited(t, secondary), "test-token", nil)
		if err != nil {
			t.Fatal(err)
		}
		r := New(gh)
		_, err = r.Resolve(context.Background(), "o", "lw", "v4")
		var rl *github.RateLimitError
		var abuse *github.AbuseRateLimitError
		switch {
		case !secondary && (!errors.As(err, &rl) || rl.Rate.Reset.IsZero()):
			t.Errorf("err = %v, want *github.RateLimitError with a reset time", err)
		case secondary && (!errors.As(err, &abuse) || abuse.GetRetryAfter() != time.Minute):
			t.Errorf("err = %v, want *github.AbuseRateLimitError with Retry-After", err)
		}
		if errors.Is(err, ErrNotFound) {
			t.Error("a rate limit is not a 404")
		}
	}
}

func TestConcurrentCallersShareRequests(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/ann"] = annotated()
	f.gate = make(chan struct{})
	const n = 20
	var started, done sync.WaitGroup
	pins := make([]Pin, n)
	errs := make([]error, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			pins[i], errs[i] = r.Resolve(context.Background(), "o", "ann", "v4")
		}()
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond) // let every caller reach the shared flight
	close(f.gate)
	done.Wait()
	for i := range n {
		if errs[i] != nil || pins[i].SHA != c3 {
			t.Fatalf("caller %d: %+v, %v", i, pins[i], errs[i])
		}
	}
	if calls := f.reset(); len(calls) != 5 {
		t.Errorf("%d concurrent callers made %d requests, want 5: %q", n, len(calls), calls)
	}
}

func TestCallerCancelDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/lw"] = lightweight()
	f.gate = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() {
		_, err := r.Resolve(ctx, "o", "lw", "v4")
		first <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(f.gate)
	if pin, err := r.Resolve(context.Background(), "o", "lw", "v4"); err != nil || pin.SHA != c3 {
		t.Fatalf("second caller: %+v, %v", pin, err)
	}
}

func TestCacheExpires(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/lw"] = lightweight()
	now := time.Now()
	r.c.now = func() time.Time { return now }
	ctx := context.Background()
	if pin, _ := r.Resolve(ctx, "o", "lw", "v4"); pin.SHA != c3 {
		t.Fatal(pin)
	}
	f.mu.Lock()
	f.repos["o/lw"].tags["v4"] = c4 // a release moves the major tag
	f.mu.Unlock()
	if pin, _ := r.Resolve(ctx, "o", "lw", "v4"); pin.SHA != c3 {
		t.Fatalf("within TTL: %+v", pin)
	}
	now = now.Add(11 * time.Minute)
	if pin, _ := r.Resolve(ctx, "o", "lw", "v4"); pin.SHA != c4 || pin.Tag != "v4" {
		t.Fatalf("after TTL: %+v", pin)
	}
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ api, base, upload string }{
		"default":   {"", "https://api.github.com/", "https://uploads.github.com/"},
		"dotcom":    {"https://api.github.com/", "https://api.github.com/", "https://uploads.github.com/"},
		"ghes":      {"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/uploads/"},
		"ghe.com":   {"https://api.acme.ghe.com", "https://api.acme.ghe.com/", "https://api.acme.ghe.com/"},
		"test host": {"http://127.0.0.1:1", "http://127.0.0.1:1/api/v3/", "http://127.0.0.1:1/api/uploads/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			gh, err := NewClient(tc.api, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if gh.BaseURL.String() != tc.base || gh.UploadURL.String() != tc.upload {
				t.Errorf("base %s upload %s", gh.BaseURL, gh.UploadURL)
			}
		})
	}
}
