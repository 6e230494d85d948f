package intake

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/internal/githubfake"
)

var testSecret = []byte("s3cret")

// fakeEnqueuer records enqueued jobs, or fails with err.
type fakeEnqueuer struct {
	mu    sync.Mutex
	calls int
	jobs  []Job
	err   error
}

func (f *fakeEnqueuer) Enqueue(_ context.Context, jobs ...Job) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return f.err
	}
	f.jobs = append(f.jobs, jobs...)
	return nil
}

func deliver(t testing.TB, h http.Handler, event, delivery string, body []byte, sig string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestVerifySignatureDocsVector(t *testing.T) {
	t.Parallel()
	secret, body := []byte("It's a Secret to Everybody"), []byte("Hello, World!")
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if !VerifySignature(secret, body, want) {
		t.Fatal("docs vector does not verify")
	}
	if got := Sign(secret, body); got != want {
		t.Fatalf("Sign = %s", got)
	}
	for name, header := range map[string]string{
		"empty": "", "no prefix": want[7:], "sha1": "sha1=" + want[7:],
		"flipped": want[:len(want)-1] + "f", "short": want[:20], "not hex": want[:len(want)-2] + "zz",
	} {
		if VerifySignature(secret, body, header) {
			t.Errorf("%s: verified", name)
		}
	}
	if VerifySignature(nil, body, Sign(nil, body)) {
		t.Error("empty secret verified")
	}
}

func TestWebhookRejectsBadSignature(t *testing.T) {
	t.Parallel()
	body := githubfake.Webhook(t, "installation", "created.json")
	tests := map[string]string{
		"missing":    "",
		"wrong":      Sign([]byte("other secret"), body),
		"truncated":  Sign(testSecret, body)[:30],
		"other body": Sign(testSecret, append(body, ' ')),
	}
	for name, sig := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q := &fakeEnqueuer{}
			rec := deliver(t, NewMux(NewHandler(testSecret, q, nil)), "installation", "d1", body, sig)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", rec.Code)
			}
			if q.calls != 0 {
				t.Fatal("enqueuer called")
			}
		})
	}
}

func TestWebhookMalformedJSON(t *testing.T) {
	t.Parallel()
	for _, event := range []string{"pull_request", "ping"} {
		q := &fakeEnqueuer{}
		body := []byte(`{"action":`)
		rec := deliver(t, NewHandler(testSecret, q, nil), event, "d", body, Sign(testSecret, body))
		if rec.Code != http.StatusBadRequest || q.calls != 0 {
			t.Errorf("%s: status %d calls %d, want 400 and no enqueue", event, rec.Code, q.calls)
		}
	}
}

// TestWebhookReferencePayloads delivers every real payload: handled ones are
// queued (202), the rest answered 200 without queueing.
func TestWebhookReferencePayloads(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		event, file string
		status      int
		jobs        int
	}{
		"installation created":             {"installation", "created.json", 202, 1},
		"installation deleted":             {"installation", "deleted.json", 202, 1},
		"installation_repositories added":  {"installation_repositories", "added.json", 202, 1},
		"check_suite requested":            {"check_suite", "requested.json", 202, 1},
		"check_run other requested_action": {"check_run", "requested_action.json", 200, 0},
		"pull_request closed":              {"pull_request", "closed.json", 200, 0},
		"push tag deleted":                 {"push", "with-installation.json", 200, 0},
		"repository created":               {"repository", "created.with-installation.json", 200, 0},
		"ping":                             {"ping", "payload.json", 200, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := githubfake.Webhook(t, tc.event, tc.file)
			q := &fakeEnqueuer{}
			rec := deliver(t, NewMux(NewHandler(testSecret, q, nil)), tc.event, "guid-"+name, body, Sign(testSecret, body))
			if rec.Code != tc.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.status)
			}
			if len(q.jobs) != tc.jobs {
				t.Fatalf("queued %d jobs, want %d", len(q.jobs), tc.jobs)
			}
			for _, j := range q.jobs {
				if j.Delivery != "guid-"+name {
					t.Errorf("job delivery %q", j.Delivery)
				}
			}
		})
	}
}

func TestWebhookRedeliveryDeduped(t *testing.T) {
	t.Parallel()
	body := githubfake.Webhook(t, "check_suite", "requested.json")
	sig := Sign(testSecret, body)
	q := &fakeEnqueuer{err: queueFull{}}
	h := NewHandler(testSecret, q, nil)
	rec := deliver(t, h, "check_suite", "same", body, sig)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("full queue: status %d Retry-After %q, want 503 and 30", rec.Code, rec.Header().Get("Retry-After"))
	}
	// The failed attempt is not remembered: a redelivery is processed.
	q.err = nil
	if rec := deliver(t, h, "check_suite", "same", body, sig); rec.Code != http.StatusAccepted {
		t.Fatalf("redelivery after failure: status %d", rec.Code)
	}
	if rec := deliver(t, h, "check_suite", "same", body, sig); rec.Code != http.StatusOK {
		t.Fatalf("redelivery after success: status %d", rec.Code)
	}
	if len(q.jobs) != 1 {
		t.Fatalf("queued %d jobs, want 1", len(q.jobs))
	}
	if rec := deliver(t, h, "check_suite", "other", body, sig); rec.Code != http.StatusAccepted {
		t.Fatalf("new delivery: status %d", rec.Code)
	}
}

func TestDeliverySetBounded(t *testing.T) {
	t.Parallel()
	s := newDeliverySet(2)
	s.add("a")
	s.add("b")
	s.add("c")
	if s.has("a") || !s.has("b") || !s.has("c") {
		t.Fatal("oldest delivery not evicted")
	}
}

func TestWebhookTooLarge(t *testing.T) {
	t.Parallel()
	q := &fakeEnqueuer{}
	h := NewHandler(testSecret, q, nil)
	body := bytes.Repeat([]byte(" "), MaxPayloadBytes+1)
	rec := deliver(t, h, "push", "d", body, Sign(testSecret, body))
	if rec.Code != http.StatusRequestEntityTooLarge || q.calls != 0 {
		t.Fatalf("status %d, want 413", rec.Code)
	}
	// Without Content-Length the limit is enforced while reading.
	req := httptest.NewRequest(http.MethodPost, WebhookPath, struct{ *bytes.Reader }{bytes.NewReader(body)})
	req.ContentLength = -1
	req.Header.Set("X-Hub-Signature-256", Sign(testSecret, body))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed: status %d, want 413", rec.Code)
	}
}

func TestMuxHealthAndMethods(t *testing.T) {
	t.Parallel()
	mux := NewMux(NewHandler(testSecret, &fakeEnqueuer{}, nil))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ok") {
		t.Fatalf("healthz: %d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, WebhookPath, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET webhook: %d", rec.Code)
	}
}

// BenchmarkWebhook measures the handled path: verify, route, enqueue, 202.
func BenchmarkWebhook(b *testing.B) {
	body := githubfake.Webhook(b, "check_suite", "requested.json")
	sig := Sign(testSecret, body)
	h := NewHandler(testSecret, discardEnqueuer{}, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "check_suite")
		req.Header.Set("X-Hub-Signature-256", sig)
		// A fresh delivery each time so that dedupe does not short-cut.
		req.Header.Set("X-GitHub-Delivery", "bench-"+strconv.Itoa(i))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

type discardEnqueuer struct{}

func (discardEnqueuer) Enqueue(context.Context, ...Job) error { return nil }

// queueFull is what a full queue answers: retry after 30 seconds.
type queueFull struct{}

func (queueFull) Error() string             { return "job queue is full" }
func (queueFull) RetryAfter() time.Duration { return 30 * time.Second }
