package ghclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/githubfake"
)

// fakeGitHub serves the token endpoint and two API endpoints, as GitHub
// Enterprise Server lays them out (under /api/v3).
type fakeGitHub struct {
	*httptest.Server
	mu        sync.Mutex
	tokenReqs map[string]int // installation id → token requests
	bodies    []string       // token request bodies
	ttl       time.Duration
	status    int // answer of the token endpoint when not 0
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{tokenReqs: map[string]int{}, ttl: time.Hour}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v3/app/installations/{id}/access_tokens", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer eyJ") {
			http.Error(w, `{"message":"A JWT is required"}`, http.StatusUnauthorized)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		if strings.TrimSpace(string(raw)) == "null" {
			http.Error(w, `{"message":"Invalid request.\n\nnull is not an object."}`, http.StatusUnprocessableEntity)
			return
		}
		f.mu.Lock()
		f.tokenReqs[r.PathValue("id")]++
		count, ttl, status := f.tokenReqs[r.PathValue("id")], f.ttl, f.status
		f.bodies = append(f.bodies, string(raw))
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, `{"message":"unavailable"}`, status)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"token":      fmt.Sprintf("ghs_%sxxxxxxxxxxxxxxxx%d", r.PathValue("id"), count),
			"expires_at": time.Now().Add(ttl).UTC().Format(time.RFC3339),
		})
	})
	mux.HandleFunc("GET /api/v3/repos/{owner}/{repo}", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "token ghs_") {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"id":1,"name":%q}`, r.PathValue("repo"))
	})
	mux.HandleFunc("GET /api/v3/app", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer eyJ") {
			http.Error(w, `{"message":"A JWT is required"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"id":7,"slug":"hardener"}`)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGitHub) tokens(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenReqs[id]
}

func newTestClients(t *testing.T, f *fakeGitHub, base http.RoundTripper) *Clients {
	t.Helper()
	if base == nil {
		base = f.Client().Transport
	}
	c, err := NewClients(7, githubfake.AppKey(t), f.URL, base)
	if err != nil {
		t.Fatal(err)
	}
	c.SetWriteRate(0)
	return c
}

func getRepo(t *testing.T, gh *github.Client) *github.Response {
	t.Helper()
	_, resp, err := gh.Repositories.Get(context.Background(), "o", "r")
	if err != nil {
		t.Fatalf("get repo: %v", err)
	}
	return resp
}

func TestInstallationTokenCached(t *testing.T) {
	t.Parallel()
	f := newFakeGitHub(t)
	c := newTestClients(t, f, nil)
	ctx := context.Background()
	for range 3 {
		gh, err := c.Installation(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		resp := getRepo(t, gh)
		getRepo(t, gh)
		if resp.Request.Header.Get("Authorization") != "" {
			t.Fatal("response carries the token-bearing request")
		}
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gh, err := c.Installation(ctx, int64(2+i%4))
			if err != nil {
				t.Error(err)
				return
			}
			getRepo(t, gh)
		}()
	}
	wg.Wait()
	if f.tokens("1") != 1 || f.tokens("2") != 1 || f.tokens("5") != 1 {
		t.Fatalf("token requests: %v, want one per installation", f.tokenReqs)
	}
}

func TestInstallationTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	f := newFakeGitHub(t)
	f.ttl = 4 * time.Minute // inside the 5-minute margin: never reused
	c := newTestClients(t, f, nil)
	for range 3 {
		gh, err := c.Installation(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		getRepo(t, gh)
	}
	if got := f.tokens("1"); got < 3 {
		t.Fatalf("token requests = %d, want a fresh token each time", got)
	}
}

func TestInstallationForNarrows(t *testing.T) {
	t.Parallel()
	f := newFakeGitHub(t)
	c := newTestClients(t, f, nil)
	perms := &github.InstallationPermissions{Contents: github.String("read")}
	for range 2 {
		gh, err := c.InstallationFor(context.Background(), 3, []int64{9, 4}, perms)
		if err != nil {
			t.Fatal(err)
		}
		getRepo(t, gh)
	}
	if _, err := c.Installation(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	if f.tokens("3") != 2 {
		t.Fatalf("token requests = %d, want one narrowed and one full", f.tokens("3"))
	}
	var body struct {
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if err := json.Unmarshal([]byte(f.bodies[0]), &body); err != nil {
		t.Fatalf("token request body %q: %v", f.bodies[0], err)
	}
	if fmt.Sprint(body.RepositoryIDs) != "[4 9]" || body.Permissions["contents"] != "read" || len(body.Permissions) != 1 {
		t.Fatalf("narrowing sent %+v", body)
	}
}

func TestAppClientUsesJWT(t *testing.T) {
	t.Parallel()
	f := newFakeGitHub(t)
	c := newTestClients(t, f, nil)
	app, resp, err := c.App(context.Background()).Apps.Get(context.Background(), "")
	if err != nil || app.GetSlug() != "hardener" {
		t.Fatalf("get app: %v %v", app, err)
	}
	if resp.Request.Header.Get("Authorization") != "" {
		t.Fatal("response carries the JWT-bearing request")
	}
}

func TestClientsAPIURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                               "https://api.github.com",
		"https://api.github.com/":        "https://api.github.com",
		"https://ghe.example.com":        "https://ghe.example.com/api/v3",
		"https://ghe.example.com/api/v3": "https://ghe.example.com/api/v3",
	}
	for in, want := range tests {
		c, err := NewClients(7, githubfake.AppKey(t), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.APIBase() != want {
			t.Errorf("%q: API base %q, want %q", in, c.APIBase(), want)
		}
	}
	if _, err := NewClients(7, []byte("not a key"), "", nil); err == nil {
		t.Error("bad key accepted")
	}
}

// leakyTransport fails every request with an error that quotes its
// credentials, as a misbehaving proxy might.
type leakyTransport struct{}

func (leakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("proxy refused %s with Authorization: %s", r.URL, r.Header.Get("Authorization"))
}

func TestAuthErrorsRedacted(t *testing.T) {
	t.Parallel()
	f := newFakeGitHub(t)
	c := newTestClients(t, f, leakyTransport{})
	_, err := c.Installation(context.Background(), 1)
	if err == nil {
		t.Fatal("no error")
	}
	if s := err.Error(); strings.Contains(s, "eyJ") || !strings.Contains(s, "[REDACTED]") {
		t.Fatalf("JWT not redacted: %s", s)
	}
	var red *RedactedError
	if !errors.As(err, &red) {
		t.Fatalf("err %T is not *RedactedError", err)
	}
	_, _, err = c.App(context.Background()).Apps.Get(context.Background(), "")
	if err == nil || strings.Contains(err.Error(), "eyJ") {
		t.Fatalf("app client error not redacted: %v", err)
	}
}

func TestAuthTokenEndpointDownIsRetryable(t *testing.T) {
	t.Parallel()
	f := newFakeGitHub(t)
	f.status = http.StatusBadGateway
	c := newTestClients(t, f, nil)
	_, err := c.Installation(context.Background(), 1)
	if d, ok := RetryDelay(err, 0); !ok || d <= 0 {
		t.Fatalf("RetryDelay(%v) = %v, %v; want a delay", err, d, ok)
	}
}

func TestRedactString(t *testing.T) {
	t.Parallel()
	jwt := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiI3In0.c2lnbmF0dXJl"
	tests := map[string]string{
		"Authorization: Bearer " + jwt:                          "Authorization: Bearer [REDACTED]",
		"header token ghs_16C7e42F292c6912E7710c838347Ae178B4a": "header token [REDACTED]",
		"got ghs_16C7e42F292c6912E7710c838347Ae178B4a back":     "got [REDACTED] back",
		"pat github_pat_11ABCDEFG0123456789_abcdef":             "pat [REDACTED]",
		"jwt " + jwt + " rejected":                              "jwt [REDACTED] rejected",
		"https://x-access-token:ghs_abc@github.com/o/r":         "https://x-access-token:[REDACTED]@github.com/o/r",
		"could not refresh installation id 5's token: EOF":      "could not refresh installation id 5's token: EOF",
	}
	for in, want := range tests {
		if got := RedactString(in); got != want {
			t.Errorf("RedactString(%q) = %q, want %q", in, got, want)
		}
	}
	if Redact(nil) != nil {
		t.Error("Redact(nil) != nil")
	}
	if !errors.Is(Redact(fmt.Errorf("x: %w", context.Canceled)), context.Canceled) {
		t.Error("context error lost")
	}
}
