package githubfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// recorder captures the errors the fake reports, so tests can expect them.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func TestRejectsUnknownOperation(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	f := New(rec)
	f.AddRepo("o", "r", nil)
	gh := f.Client()
	_, err := gh.Repositories.Delete(context.Background(), "o", "r") // not in the subset
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %v", err)
	}
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "DELETE /repos/o/r") {
		t.Fatalf("reported = %q", errs)
	}
	if reqs := f.Requests(); len(reqs) != 1 || reqs[0].OperationID != "" {
		t.Fatalf("requests = %+v", reqs)
	}
}

func TestRejectsInvalidBody(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	f := New(rec)
	repo := f.AddRepo("o", "r", map[string]string{"a": "b"})
	gh := f.Client()
	req, err := gh.NewRequest("POST", "repos/o/r/check-runs", map[string]any{"name": "hardener", "head_sha": repo.BranchSHA("main"), "status": "bogus"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = gh.Do(context.Background(), req, nil)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("err = %v", err)
	}
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "/check-runs") {
		t.Fatalf("reported = %q", errs)
	}
	if len(repo.CheckRuns()) != 0 {
		t.Fatal("invalid request changed state")
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	f := New(t)
	f.AddRepo("o", "r", map[string]string{"a": "b"})
	ctx := context.Background()
	f.FailNext("repos/get", 1, http.StatusInternalServerError, nil, "")
	f.FailNext("repos/get", 1, http.StatusForbidden, map[string]string{"Retry-After": "7"},
		`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	_, _, err := f.Client().Repositories.Get(ctx, "o", "r")
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 500 {
		t.Fatalf("first: %v", err)
	}
	_, _, err = f.Client().Repositories.Get(ctx, "o", "r")
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.GetRetryAfter().Seconds() != 7 {
		t.Fatalf("second: %v", err)
	}
	repo, _, err := f.Client().Repositories.Get(ctx, "o", "r")
	if err != nil || repo.GetFullName() != "o/r" || repo.GetDefaultBranch() != "main" {
		t.Fatalf("third: %v %v", repo, err)
	}
	if f.Count("repos/get") != 3 {
		t.Fatalf("count = %d", f.Count("repos/get"))
	}
	f.ResetCounts()
	if f.Count("repos/get") != 0 || len(f.Requests()) != 0 {
		t.Fatal("reset did not clear")
	}
}

func TestCheckRunAnnotationLimit(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	f := New(rec)
	repo := f.AddRepo("o", "r", map[string]string{"a": "b"})
	ctx := context.Background()
	gh := f.Client()
	ann := func(n int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for i := 0; i < n; i++ {
			out = append(out, &github.CheckRunAnnotation{Path: github.String("a"), StartLine: github.Int(1), EndLine: github.Int(1),
				AnnotationLevel: github.String("warning"), Message: github.String("m")})
		}
		return out
	}
	out := func(n int, summary string) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String("t"), Summary: github.String(summary), Annotations: ann(n)}
	}
	sha := repo.BranchSHA("main")
	_, _, err := gh.Checks.CreateCheckRun(ctx, "o", "r", github.CreateCheckRunOptions{Name: "hardener", HeadSHA: sha, Output: out(51, "s")})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 422 {
		t.Fatalf("51 annotations: %v", err)
	}
	_, _, err = gh.Checks.CreateCheckRun(ctx, "o", "r", github.CreateCheckRunOptions{Name: "hardener", HeadSHA: sha, Output: out(1, strings.Repeat("x", 65536))})
	if !errors.As(err, &er) || er.Response.StatusCode != 422 {
		t.Fatalf("long summary: %v", err)
	}
	// The subset's schema carries GitHub's limits, so an App that exceeds them fails its test.
	if errs := rec.errors(); len(errs) != 2 || !strings.Contains(errs[0], "maxItems") || !strings.Contains(errs[1], "maxLength") {
		t.Fatalf("reported = %q", errs)
	}
	run, _, err := gh.Checks.CreateCheckRun(ctx, "o", "r", github.CreateCheckRunOptions{Name: "hardener", HeadSHA: sha, Status: github.String("in_progress"), Output: out(50, "s")})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.Checks.UpdateCheckRun(ctx, "o", "r", run.GetID(), github.UpdateCheckRunOptions{Name: "hardener", Conclusion: github.String("failure"), Output: out(50, "done")})
	if err != nil {
		t.Fatal(err)
	}
	runs := repo.CheckRuns()
	if len(runs) != 1 || len(runs[0].Annotations) != 100 || runs[0].Status != "completed" || runs[0].Conclusion != "failure" || runs[0].Summary != "done" {
		t.Fatalf("runs = %d %+v", len(runs), runs)
	}
	list, _, err := gh.Checks.ListCheckRunsForRef(ctx, "o", "r", "main", &github.ListCheckRunsOptions{CheckName: github.String("hardener")})
	if err != nil || list.GetTotal() != 1 || list.CheckRuns[0].GetOutput().GetAnnotationsCount() != 100 {
		t.Fatalf("list = %+v %v", list, err)
	}
}

func TestEveryRequestSchemaCompiles(t *testing.T) {
	t.Parallel()
	s, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ops) != 97 {
		t.Errorf("operations = %d, want 97", len(s.ops))
	}
	for _, o := range s.ops {
		if o.bodyPtr == "" {
			continue
		}
		if _, err := s.schema(o); err != nil {
			t.Errorf("%s: %v", o.id, err)
		}
	}
}

func TestServesExamplesForOtherOperations(t *testing.T) {
	t.Parallel()
	f := New(t)
	f.AddRepo("o", "r", nil, Empty())
	ctx := context.Background()
	gh := f.Client()
	limits, _, err := gh.RateLimit.Get(ctx)
	if err != nil || limits.GetCore().Limit == 0 {
		t.Fatalf("rate limit = %v %v", limits, err)
	}
	langs, _, err := gh.Repositories.ListLanguages(ctx, "o", "r")
	if err != nil || len(langs) == 0 {
		t.Fatalf("languages = %v %v", langs, err)
	}
	if _, _, err := gh.Git.GetRef(ctx, "o", "r", "heads/main"); err == nil {
		t.Fatal("empty repository has a main branch")
	}
}
