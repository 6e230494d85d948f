package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/resolve"
)

const e2eSecret = "It's a Secret to Everybody"

// staticClients hands out one client for every installation.
type staticClients struct{ gh *github.Client }

func (s staticClients) Installation(context.Context, int64) (*github.Client, error) { return s.gh, nil }

func (s staticClients) InstallationFor(context.Context, int64, []int64, *github.InstallationPermissions) (*github.Client, error) {
	return s.gh, nil
}

func (s staticClients) Granted(int64) map[string]string { return nil }

// App is the same client: the fake answers GET /app to any credential.
func (s staticClients) App(context.Context) *github.Client { return s.gh }

// jobRecorder is an intake.Enqueuer that keeps jobs for the test to run.
type jobRecorder struct {
	mu   sync.Mutex
	jobs []intake.Job
}

func (r *jobRecorder) Enqueue(_ context.Context, jobs ...intake.Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, jobs...)
	return nil
}

func (r *jobRecorder) take() []intake.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.jobs
	r.jobs = nil
	return j
}

// harness is the App wired to the GitHub fake: signed webhooks in, the
// fake's state out.
type harness struct {
	t       *testing.T
	fake    *githubfake.Fake
	repo    *githubfake.Repo
	worker  *Worker
	handler *intake.Handler
	queue   *jobRecorder
	n       int
}

// workflowFiles are five workflows with unpinned actions.
func workflowFiles() map[string]string {
	files := map[string]string{"README.md": "# hello\n", "go.mod": "module example.com/hello\n\ngo 1.22\n"}
	for i, name := range []string{"ci", "lint", "release", "docs", "nightly"} {
		files[".github/workflows/"+name+".yml"] = fmt.Sprintf(`name: %s
on: [push]
permissions:
  contents: read
jobs:
  job%d:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
      - run: go test ./...
`, name, i)
	}
	return files
}

func newHarness(t *testing.T, files map[string]string, opts ...githubfake.RepoOption) *harness {
	t.Helper()
	return newHarnessWith(t, nil, files, opts...)
}

// newHarnessWith is newHarness with options for the fake itself (plans
// without rulesets on private repositories, for instance).
func newHarnessWith(t *testing.T, fakeOpts []githubfake.Option, files map[string]string, opts ...githubfake.RepoOption) *harness {
	t.Helper()
	f := githubfake.New(t, fakeOpts...)
	for _, a := range []struct{ name, tag, full string }{{"checkout", "v4", "v4.2.2"}, {"setup-go", "v5", "v5.4.0"}} {
		up := f.AddRepo("actions", a.name, map[string]string{"action.yml": "name: " + a.name + "\nruns:\n  using: node20\n  main: index.js\n"})
		up.Tag(a.full, "main", false)
		up.Tag(a.tag, "main", false)
	}
	r := f.AddRepo("octo-org", "hello", files, opts...)
	q := &jobRecorder{}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Tag resolution goes through the job's installation, as NewAppWorker
	// wires it (here in GitHub Enterprise Server form: /api/v3).
	clients := staticClients{f.Client()}
	rgh, err := resolve.NewClient(f.URL()+"/api/v3", "", &http.Client{Transport: ghclient.JobTransport(clients)})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(clients, resolve.New(rgh), WorkerOptions{})
	return &harness{t: t, fake: f, repo: r, worker: w, handler: intake.NewHandler([]byte(e2eSecret), q, logger), queue: q}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	logCapture.write(p)
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// payload loads a reference webhook and points it at the harness's
// repository and installation 1.
func (h *harness) payload(event, action string, edit func(map[string]any)) []byte {
	h.t.Helper()
	raw := githubfake.Webhook(h.t, event, action+".json")
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		h.t.Fatal(err)
	}
	m["installation"] = map[string]any{"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==",
		"account": map[string]any{"login": h.repo.Owner, "id": 1, "type": "Organization"}}
	short := map[string]any{"id": h.repo.ID, "node_id": "R_1", "name": h.repo.Name, "full_name": h.repo.Owner + "/" + h.repo.Name, "private": false}
	if _, ok := m["repositories"]; ok {
		m["repositories"] = []any{short}
	}
	if r, ok := m["repository"].(map[string]any); ok {
		r["id"], r["name"], r["full_name"], r["default_branch"] = h.repo.ID, h.repo.Name, h.repo.Owner+"/"+h.repo.Name, "main"
		if o, ok := r["owner"].(map[string]any); ok {
			o["login"] = h.repo.Owner
		}
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// deliver posts a signed delivery and returns the status code.
func (h *harness) deliver(event, delivery string, body []byte) int {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, intake.WebhookPath, bytes.NewReader(body))
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", intake.Sign([]byte(e2eSecret), body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec.Code
}

// runJobs runs every queued job and returns their errors.
func (h *harness) runJobs() []error {
	var errs []error
	for _, j := range h.queue.take() {
		log := slog.New(slog.NewTextHandler(testWriter{h.t}, nil)).With(j.LogArgs()...)
		if err := h.worker.Run(intake.ContextWithLogger(context.Background(), log), j); err != nil {
			log.Error("job failed", "err", err) // as the queues log it
			errs = append(errs, err)
		}
	}
	return errs
}

// install delivers installation.created with a fresh delivery ID and runs
// the jobs; it fails the test on any job error.
func (h *harness) install() {
	h.t.Helper()
	h.n++
	if code := h.deliver("installation", fmt.Sprintf("install-%d", h.n), h.payload("installation", "created", nil)); code != http.StatusAccepted {
		h.t.Fatalf("installation.created: status %d, want 202", code)
	}
	for _, err := range h.runJobs() {
		h.t.Fatalf("job: %v", err)
	}
}

// repoRequests counts the API requests the fake saw for the harness's
// repository and for the organisation's .github repository.
func (h *harness) repoRequests() (repo, org int, ops []string) {
	prefix := "/repos/" + h.repo.Owner + "/" + h.repo.Name + "/"
	orgPrefix := "/repos/" + h.repo.Owner + "/.github/"
	for _, r := range h.fake.Requests() {
		switch {
		case strings.HasPrefix(r.Path, prefix) || r.Path == strings.TrimSuffix(prefix, "/"):
			repo++
			ops = append(ops, r.Method+" "+r.OperationID)
		case r.OperationID == "graphql":
			// The harness has one repository (the org's .github is only read).
			repo++
			ops = append(ops, r.Method+" graphql")
		case strings.HasPrefix(r.Path, orgPrefix):
			org++
			ops = append(ops, r.Method+" "+r.OperationID+" (org)")
		}
	}
	return repo, org, ops
}

func ctxWithTestLogger(t *testing.T) context.Context {
	return intake.ContextWithLogger(context.Background(), slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})))
}
