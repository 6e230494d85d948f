package app

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
)

// TestJobsReportMetrics: a job's outcome, its PR and the wait GitHub asks
// for reach the Recorder — the Worker's own (serve) when the context brings
// none, the context's (one per Lambda invocation) otherwise.
func TestJobsReportMetrics(t *testing.T) {
	h := newHarness(t, workflowFiles())
	served := &metrics.EMF{}
	h.worker.SetMetrics(served)
	h.install()

	perInvocation := &metrics.EMF{}
	ctx := metrics.WithRecorder(ctxWithTestLogger(t), perInvocation)
	job := intake.Job{Kind: intake.JobRescan, InstallationID: 1, Owner: h.repo.Owner, Repo: "gone"}
	if err := h.worker.Run(ctx, job); err != nil {
		t.Fatalf("a repository that is gone ends the job quietly: %v", err)
	}
	h.fake.FailNext("repos/get", 1, http.StatusForbidden, map[string]string{"Retry-After": "120"},
		`{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	job.Repo, job.RepoID = h.repo.Name, h.repo.ID
	if err := h.worker.Run(ctx, job); err == nil {
		t.Fatal("rate-limited job did not ask for a retry")
	}

	flush := func(e *metrics.EMF) string {
		var b bytes.Buffer
		if err := e.Flush(&b, time.Now()); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	got := flush(served)
	for _, want := range []string{`"JobKind":"install","JobsDone":1`, `"PullRequestsOpened":1`} {
		if !strings.Contains(got, want) {
			t.Errorf("serve's metrics lack %s:\n%s", want, got)
		}
	}
	got = flush(perInvocation)
	for _, want := range []string{`"JobKind":"rescan","JobsDone":1,"JobsRetried":1`, `"RateLimitWaitSeconds":120`} {
		if !strings.Contains(got, want) {
			t.Errorf("the invocation's metrics lack %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "PullRequestsOpened") {
		t.Errorf("the rescan opened no PR:\n%s", got)
	}
}
