package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/intake"
)

// limitServer answers with the handler given per request number (1-based).
func limitServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(int(n.Add(1)), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func pacedClient(srv *httptest.Server, perMinute int) *http.Client {
	return &http.Client{Transport: NewPacer(1, nil, LimitsFor(perMinute), nil).Transport(srv.Client().Transport)}
}

func TestPacerOffDoesNotWait(t *testing.T) {
	t.Parallel()
	srv, n := limitServer(t, func(int, http.ResponseWriter, *http.Request) {})
	c := pacedClient(srv, 0)
	start := time.Now()
	for range 20 {
		resp, err := c.Post(srv.URL, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n.Load() != 20 || time.Since(start) > 2*time.Second {
		t.Fatalf("%d requests in %v", n.Load(), time.Since(start))
	}
}

func TestPacerSleepsShortRetryAfterAndReplaysBody(t *testing.T) {
	t.Parallel()
	var bodies []string
	srv, n := limitServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "ok")
	})
	resp, err := pacedClient(srv, 0).Post(srv.URL, "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || n.Load() != 2 || bodies[1] != `{"a":1}` {
		t.Fatalf("status %d after %d requests, bodies %q", resp.StatusCode, n.Load(), bodies)
	}
}

func TestPacerLongWaitsFailFast(t *testing.T) {
	t.Parallel()
	reset := time.Now().Add(time.Hour).Unix()
	tests := map[string]struct {
		status  int
		headers map[string]string
		body    string
		want    time.Duration
	}{
		"retry-after":     {403, map[string]string{"Retry-After": "120"}, "", 120 * time.Second},
		"primary":         {403, map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": strconv.FormatInt(reset, 10)}, "", time.Hour},
		"secondary":       {403, nil, `{"message":"You have exceeded a secondary rate limit."}`, time.Minute},
		"429 no headers":  {429, nil, "", time.Minute},
		"retry-after 429": {429, map[string]string{"Retry-After": "30"}, "", 30 * time.Second},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, n := limitServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			c := pacedClient(srv, 0)
			_, err := c.Get(srv.URL)
			var rl *RateLimitedError
			if !errors.As(err, &rl) {
				t.Fatalf("err = %v, want *RateLimitedError", err)
			}
			d, ok := RetryDelay(err, 0)
			if !ok || d < tc.want-2*time.Second || d > tc.want+2*time.Second {
				t.Fatalf("AsRetry = %v, %v; want about %v", d, ok, tc.want)
			}
			// The installation stays paused: no request reaches GitHub.
			if _, err := c.Get(srv.URL); !errors.As(err, &rl) || n.Load() != 1 {
				t.Fatalf("second request: %v after %d requests", err, n.Load())
			}
		})
	}
}

func TestPacerPassesPermissionErrors(t *testing.T) {
	t.Parallel()
	const msg = `{"message":"Resource not accessible by integration"}`
	srv, _ := limitServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, msg)
	})
	resp, err := pacedClient(srv, 0).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || string(b) != msg {
		t.Fatalf("got %d %q", resp.StatusCode, b)
	}
}

func TestPacerSecondaryBackoffGrows(t *testing.T) {
	t.Parallel()
	p := NewPacer(1, nil, Limits{}, nil)
	resp := func() *http.Response {
		return &http.Response{StatusCode: 403, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader("secondary rate limit"))}
	}
	first, _, _ := p.limitWait(resp())
	second, _, _ := p.limitWait(resp())
	if first != time.Minute || second != 2*time.Minute {
		t.Fatalf("waits %v then %v, want 1m then 2m", first, second)
	}
}

func TestPacerRespectsContext(t *testing.T) {
	t.Parallel()
	srv, _ := limitServer(t, func(int, http.ResponseWriter, *http.Request) {})
	c := pacedClient(srv, 8) // writes a second apart
	resp, err := c.Post(srv.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, nil)
	start := time.Now()
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v, want deadline exceeded promptly", err, time.Since(start))
	}
}

func TestPacerThroughGoGitHub(t *testing.T) {
	t.Parallel()
	srv, _ := limitServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "90")
		w.WriteHeader(http.StatusForbidden)
	})
	gh := github.NewClient(pacedClient(srv, 0))
	gh.BaseURL, _ = url.Parse(srv.URL + "/")
	_, _, err := gh.Repositories.Get(context.Background(), "o", "r")
	if d, ok := RetryDelay(err, 0); !ok || d < 88*time.Second {
		t.Fatalf("RetryDelay(%v) = %v, %v", err, d, ok)
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	ninety := 90 * time.Second
	resp := func(code int) *http.Response {
		return &http.Response{StatusCode: code, Request: &http.Request{Method: "GET", URL: &url.URL{Path: "/x"}}}
	}
	tests := map[string]struct {
		err  error
		want time.Duration // 0: not retryable
	}{
		"retry error":     {&intake.RetryError{After: 7 * time.Second}, 7 * time.Second},
		"primary":         {&github.RateLimitError{Rate: github.Rate{Reset: github.Timestamp{Time: time.Now().Add(time.Minute)}}, Response: resp(403)}, time.Minute},
		"primary past":    {&github.RateLimitError{Rate: github.Rate{Reset: github.Timestamp{Time: time.Now().Add(-time.Minute)}}, Response: resp(403)}, time.Second},
		"abuse":           {&github.AbuseRateLimitError{RetryAfter: &ninety, Response: resp(403)}, ninety},
		"abuse default":   {&github.AbuseRateLimitError{Response: resp(403)}, time.Minute},
		"accepted":        {&github.AcceptedError{}, 30 * time.Second},
		"server error":    {&github.ErrorResponse{Response: resp(502)}, time.Second},
		"wrapped":         {fmt.Errorf("job: %w", &url.Error{Op: "Get", URL: "x", Err: &github.AcceptedError{}}), 30 * time.Second},
		"not found":       {&github.ErrorResponse{Response: resp(404)}, 0},
		"plain":           {errors.New("boom"), 0},
		"nil":             {nil, 0},
		"token endpoint":  {&RedactedError{msg: "x", status: 503}, time.Second},
		"token forbidden": {&RedactedError{msg: "x", status: 401}, 0},
	}
	for name, tc := range tests {
		d, ok := RetryDelay(tc.err, 0)
		if ok != (tc.want != 0) || d < tc.want-2*time.Second || d > tc.want+2*time.Second {
			t.Errorf("%s: RetryDelay = %v, %v; want %v", name, d, ok, tc.want)
		}
	}
	five := &github.ErrorResponse{Response: resp(500)}
	d1, _ := RetryDelay(five, 1)
	d3, _ := RetryDelay(five, 3)
	d30, _ := RetryDelay(five, 30)
	// Jitter: half of each wait is random.
	if !(d1 < d3 && d30 >= maxServerErrorWait/2 && d30 <= maxServerErrorWait) {
		t.Errorf("server-error back-off %v, %v, %v: want growing, capped at %v", d1, d3, d30, maxServerErrorWait)
	}
}

// A job parked for the write budget is told how long to wait on the
// worker's clock, not the machine's: under a simulated clock the wait is
// the simulated one.
func TestWriteBudgetSpentWaitsOnTheCallersClock(t *testing.T) {
	t.Parallel()
	sim := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	err := WriteBudgetSpent(sim.Add(10*time.Minute), func() time.Time { return sim })
	if got := err.RetryAfter(); got != 10*time.Minute {
		t.Fatalf("RetryAfter = %v, want 10m0s", got)
	}
	if !strings.Contains(err.Error(), "write budget") {
		t.Fatalf("error %q does not say why", err)
	}
}
