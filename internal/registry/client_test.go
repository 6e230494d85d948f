package registry

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestDigestDockerHubTokenFlow(t *testing.T) {
	t.Parallel()
	f := newRegistry(t)
	img := newImage("node")
	f.images["library/node:20"] = img
	c := f.client()
	ref, err := c.Digest(context.Background(), "node:20")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Digest != digestOf(img.index) {
		t.Errorf("digest %s, want the index %s (amd64 is %s)", ref.Digest, digestOf(img.index), digestOf(img.amd64))
	}
	if got, want := ref.String(), "node:20@"+digestOf(img.index); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	want := []string{"HEAD /v2/library/node/manifests/20", "GET /token", "HEAD /v2/library/node/manifests/20"}
	if calls := f.reset(); !slices.Equal(calls, want) {
		t.Errorf("requests %q, want %q", calls, want)
	}
}

func TestDigestCache(t *testing.T) {
	t.Parallel()
	f := newRegistry(t)
	f.images["library/node:20"] = newImage("node20")
	f.images["library/node:22"] = newImage("node22")
	f.images["library/redis:7"] = newImage("redis")
	c := f.client()
	ctx := context.Background()
	steps := []struct {
		image string
		want  []string
	}{
		{"node:20", []string{"HEAD /v2/library/node/manifests/20", "GET /token", "HEAD /v2/library/node/manifests/20"}},
		// Same ref, other spellings: cached.
		{"node:20", nil},
		{"docker.io/library/node:20", nil},
		// Same repository: the token is reused, no 401 round trip.
		{"node:22", []string{"HEAD /v2/library/node/manifests/22"}},
		// Same registry, other repository: token asked for up front.
		{"redis:7", []string{"GET /token", "HEAD /v2/library/redis/manifests/7"}},
	}
	for _, s := range steps {
		if _, err := c.Digest(ctx, s.image); err != nil {
			t.Fatal(s.image, err)
		}
		if calls := f.reset(); !slices.Equal(calls, s.want) {
			t.Errorf("%s: requests %q, want %q", s.image, calls, s.want)
		}
	}
}

func TestDigestWithoutHeader(t *testing.T) {
	t.Parallel()
	f := newRegistry(t)
	f.auth = false
	f.noDigestHeader = true
	img := newImage("r")
	f.images["o/r:v1"] = img
	ref, err := f.client().Digest(context.Background(), "ghcr.io/o/r:v1")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Digest != digestOf(img.index) {
		t.Errorf("digest %s, want the index %s", ref.Digest, digestOf(img.index))
	}
	want := []string{"HEAD /v2/o/r/manifests/v1", "GET /v2/o/r/manifests/v1"}
	if calls := f.reset(); !slices.Equal(calls, want) {
		t.Errorf("requests %q, want %q", calls, want)
	}
}

func TestDigestErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		image  string
		creds  bool
		want   error
		cached bool
	}{
		"unknown tag":             {"node:99", false, ErrNotFound, true},
		"unknown repository":      {"ghcr.io/o/missing:1", false, ErrNotFound, true},
		"private without creds":   {"acme/private:1", false, ErrDenied, true},
		"expression is no image":  {"${{ matrix.image }}", false, nil, false},
		"variable is no image":    {"$BASE_IMAGE", false, nil, false},
		"uppercase is not a name": {"Node:20", false, nil, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newRegistry(t)
			f.images["library/node:20"] = newImage("node")
			f.images["acme/private:1"] = &fakeImage{index: []byte("{}"), private: true}
			c := f.client()
			_, err := c.Digest(context.Background(), tc.image)
			if tc.want == nil {
				if err == nil || len(f.reset()) != 0 {
					t.Fatalf("err = %v, want a parse error and no request", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			f.reset()
			if _, err := c.Digest(context.Background(), tc.image); !errors.Is(err, tc.want) {
				t.Fatalf("second err = %v", err)
			}
			if calls := f.reset(); tc.cached && len(calls) != 0 {
				t.Errorf("answer not cached: %q", calls)
			}
		})
	}
}

func TestDigestPrivateWithCredentials(t *testing.T) {
	t.Parallel()
	f := newRegistry(t)
	img := &fakeImage{index: []byte(`{"schemaVersion":2}`), amd64: []byte("{}"), private: true}
	f.images["acme/private:1"] = img
	c := f.client()
	var hosts []string
	c.Credentials = func(host string) (string, string) {
		hosts = append(hosts, host)
		return "u", "p"
	}
	ref, err := c.Digest(context.Background(), "acme/private:1")
	if err != nil || ref.Digest != digestOf(img.index) {
		t.Fatalf("got %+v, %v", ref, err)
	}
	if !slices.Equal(hosts, []string{"docker.io"}) {
		t.Errorf("credentials asked for %q", hosts)
	}
}

func TestDigestTransientErrorsNotCached(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			t.Parallel()
			f := newRegistry(t)
			f.auth = false
			f.images["o/r:1"] = newImage("r")
			f.fail, f.failN = code, 1
			c := f.client()
			_, err := c.Digest(context.Background(), "ghcr.io/o/r:1")
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != code || se.RetryAfter != "7" {
				t.Fatalf("err = %v, want *StatusError %d", err, code)
			}
			if _, err := c.Digest(context.Background(), "ghcr.io/o/r:1"); err != nil {
				t.Fatalf("retry: %v", err)
			}
		})
	}
}

func TestDigestNetworkError(t *testing.T) {
	t.Parallel()
	c := &Client{Endpoints: map[string]string{"docker.io": "http://127.0.0.1:1"}}
	_, err := c.Digest(context.Background(), "node:20")
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want a network error", err)
	}
}

func TestDigestAlreadyPinned(t *testing.T) {
	t.Parallel()
	f := newRegistry(t)
	ref, err := f.client().Digest(context.Background(), "node:20@"+dgst)
	if err != nil || ref.Digest != dgst || ref.Tag != "20" {
		t.Fatalf("got %+v, %v", ref, err)
	}
	if calls := f.reset(); len(calls) != 0 {
		t.Errorf("requests for a pinned image: %q", calls)
	}
}

func TestDigestConcurrentCallersShareRequests(t *testing.T) {
	t.Parallel()
	f := newRegistry(t)
	f.images["library/node:20"] = newImage("node")
	f.gate = make(chan struct{})
	c := f.client()
	const n = 10
	var started, done sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			_, errs[i] = c.Digest(context.Background(), "node:20")
		}()
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond)
	close(f.gate)
	done.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if calls := f.reset(); len(calls) != 3 {
		t.Errorf("%d callers made %d requests, want 3: %q", n, len(calls), calls)
	}
}

func TestParseChallenge(t *testing.T) {
	t.Parallel()
	ch, ok := parseChallenge(`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push", error=insufficient_scope`)
	if !ok || ch.scheme != "bearer" {
		t.Fatalf("got %+v", ch)
	}
	want := map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
		"scope": "repository:a/b:pull,push", "error": "insufficient_scope"}
	for k, v := range want {
		if ch.params[k] != v {
			t.Errorf("%s = %q, want %q", k, ch.params[k], v)
		}
	}
}
