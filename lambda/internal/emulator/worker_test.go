package emulator

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/lambda/internal/handler"
	"github.com/hardener/hardener/lambda/internal/secretsfake"
	"github.com/hardener/hardener/lambda/internal/sqsfake"
)

// weakRepo is a repository Hardener has something to fix in.
func weakRepo() map[string]string {
	return map[string]string{
		"README.md": "# hello\n",
		".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n" +
			"    steps:\n      - run: echo hello\n",
	}
}

// worker starts lambda/worker under the emulator against gh and sqs, with
// the private key in Secrets Manager and the webhook secret in SSM.
func startWorker(t *testing.T, gh *githubfake.Fake, sqs *sqsfake.Fake) (*Function, *secretsfake.Fake) {
	t.Helper()
	bin := bootstrap(t, "worker")
	store := secretsfake.New(t)
	keyARN := store.PutSecret("hardener/test/private-key", string(githubfake.AppKey(t)))
	store.PutParameter("/hardener/test/webhook-secret", "emulator-webhook-secret", true)
	fn := Start(t, bin, append(awsEnv(sqs.URL(), store.URL()),
		"AWS_LAMBDA_FUNCTION_NAME=hardener-test-worker", "AWS_LAMBDA_FUNCTION_TIMEOUT=300",
		"HARDENER_QUEUE_URL="+jobsQueue, "HARDENER_WRITE_RATE=0",
		"GITHUB_APP_ID=1", "GITHUB_API_URL="+gh.URL(),
		"GITHUB_PRIVATE_KEY_SECRET_ARN="+keyARN,
		"GITHUB_WEBHOOK_SECRET_SSM=/hardener/test/webhook-secret",
	)...)
	return fn, store
}

// deliver is one round of Lambda's SQS event source: a batch of up to ten
// visible messages to the function, then deletion of those not reported
// failed. It returns the batch and the function's answer.
func deliver(t *testing.T, fn *Function, sqs *sqsfake.Fake) (events.SQSEvent, events.SQSEventResponse) {
	t.Helper()
	ev := sqs.Poll(jobsQueue, 10)
	if len(ev.Records) == 0 {
		return ev, events.SQSEventResponse{}
	}
	var resp events.SQSEventResponse
	err := fn.Invoke(context.Background(), ev, &resp)
	if err != nil {
		t.Fatalf("worker invocation: %v", err)
	}
	sqs.Settle(ev, resp, err)
	return ev, resp
}

func failedIDs(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// TestWorkerFunction runs lambda/worker under the emulator on SQS batches
// as Lambda's event source delivers them: a job is carried out against the
// GitHub fake (check run and hardening PR), a job GitHub rate-limits is
// re-sent with GitHub's delay (no attempt counted) and its original deleted, a message that is
// not a job is reported as a batch item failure until the queue's redrive
// policy moves it to the dead-letter queue after maxReceiveCount receives.
func TestWorkerFunction(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t)
	alpha := gh.AddRepo("octo-org", "alpha", weakRepo())
	gh.AddInstallation(githubfake.Installation{ID: 2, Account: "other-org", AccountType: "Organization"})
	limited := gh.AddRepo("other-org", "limited", weakRepo())
	sqs := sqsfake.New(t)
	const visibility, maxReceives = 1800 * time.Second, 5
	sqs.CreateQueue(jobsQueue, sqsfake.QueueOptions{VisibilityTimeout: visibility, DeadLetterQueue: deadQueue, MaxReceiveCount: maxReceives})

	q := &handler.Queue{Client: sqs.Client(), URL: jobsQueue}
	limitedJob := intake.Job{Kind: intake.JobInstall, Action: "created", InstallationID: 2, Owner: "other-org", Repo: "limited", RepoID: limited.ID}
	alphaJob := intake.Job{Kind: intake.JobInstall, Action: "created", InstallationID: 1, Owner: "octo-org", Repo: "alpha", RepoID: alpha.ID}
	if err := q.Enqueue(context.Background(), limitedJob); err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), alphaJob); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.Client().SendMessage(context.Background(), sendInput(jobsQueue, "not a job")); err != nil {
		t.Fatal(err)
	}
	// The first repository read (the limited job's) meets a secondary limit.
	gh.FailNext("repos/get", 1, 403, map[string]string{"Retry-After": "600"},
		`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)

	fn, store := startWorker(t, gh, sqs)
	first := fn
	ev, resp := deliver(t, fn, sqs)
	if len(ev.Records) != 3 {
		t.Fatalf("first batch has %d records, want 3", len(ev.Records))
	}
	poison := ev.Records[2].MessageId
	if got := failedIDs(resp); len(got) != 1 || got[0] != poison {
		t.Fatalf("batch item failures %v, want only the message that is not a job (%s)", got, poison)
	}
	// Posture first: the install job posts alpha's check run and queues
	// its pull request as a job of its own.
	if !completedCheck(alpha) || len(alpha.PullRequests()) != 0 {
		t.Errorf("alpha: check runs %+v, PRs %d: want a completed check run and no PR yet", alpha.CheckRuns(), len(alpha.PullRequests()))
	}
	// Scorecard ran in its bounded child process (the bootstrap itself).
	if runs := alpha.CheckRuns(); len(runs) == 0 || !strings.Contains(runs[0].Summary, "### OpenSSF Scorecard") ||
		!strings.Contains(runs[0].Text, "hardener:dashboard-report") {
		t.Errorf("alpha's check run has no Scorecard scores or no dashboard report: %+v", runs)
	}
	if len(limited.CheckRuns()) != 0 {
		t.Errorf("the rate-limited job went on: %+v", limited.CheckRuns())
	}
	var parked, followUps []sqsfake.Message
	for _, m := range sqs.Messages()[3:] {
		if m.Job(t).Kind == intake.JobRefreshPR {
			followUps = append(followUps, m)
		} else {
			parked = append(parked, m)
		}
	}
	if len(parked) != 1 || parked[0].Job(t) != limitedJob || parked[0].DelaySeconds != 600 || parked[0].Attributes[handler.AttrAttempt] != "" {
		// Waiting for GitHub's pause is not an attempt.
		t.Fatalf("re-sent %+v, want the limited job once with GitHub's 600 s delay and no attempt counted", parked)
	}
	if len(followUps) != 1 || followUps[0].Job(t).Repo != "alpha" {
		t.Fatalf("follow-ups %+v, want alpha's pull-request job", followUps)
	}

	// GitHub's pause over, the re-sent job comes back and is carried out
	// (by another instance of the function: this one still remembers the
	// pause in real time, which the test does not wait for), alpha's pull
	// request is opened; the poison message keeps failing. Then limited's
	// own pull-request job runs.
	sqs.Advance(visibility + time.Second)
	fn, _ = startWorker(t, gh, sqs)
	ev, resp = deliver(t, fn, sqs)
	if len(ev.Records) != 3 || len(failedIDs(resp)) != 1 || failedIDs(resp)[0] != poison {
		t.Fatalf("second batch %d records, failures %v", len(ev.Records), failedIDs(resp))
	}
	if len(alpha.PullRequests()) != 1 || !completedCheck(limited) {
		t.Errorf("after the second batch: alpha PRs %d, limited check runs %+v", len(alpha.PullRequests()), limited.CheckRuns())
	}
	sqs.Advance(visibility + time.Second)
	ev, resp = deliver(t, fn, sqs)
	if len(ev.Records) != 2 || len(failedIDs(resp)) != 1 || failedIDs(resp)[0] != poison {
		t.Fatalf("third batch %d records, failures %v", len(ev.Records), failedIDs(resp))
	}
	if len(limited.PullRequests()) != 1 {
		t.Errorf("limited: PRs %d after its pull-request job", len(limited.PullRequests()))
	}

	receives := 3
	for round := 0; round < 2*maxReceives; round++ {
		sqs.Advance(visibility + time.Second)
		ev, _ = deliver(t, fn, sqs)
		if len(ev.Records) == 0 {
			break
		}
		if ev.Records[0].MessageId != poison || len(ev.Records) != 1 {
			t.Fatalf("batch %+v, want the poison message alone", ev.Records)
		}
		receives++
		if got := ev.Records[0].Attributes["ApproximateReceiveCount"]; got != strconv.Itoa(receives) {
			t.Errorf("receive %d: ApproximateReceiveCount %s", receives, got)
		}
	}
	if receives != maxReceives {
		t.Errorf("the poison message was delivered %d times, want maxReceiveCount = %d", receives, maxReceives)
	}
	if dlq := sqs.Bodies(deadQueue); len(dlq) != 1 || dlq[0] != "not a job" {
		t.Errorf("dead-letter queue holds %q, want the poison message", dlq)
	}
	if left := sqs.Bodies(jobsQueue); len(left) != 0 {
		t.Errorf("jobs queue still holds %q", left)
	}
	if n := len(store.Requests()); n != 2 {
		t.Errorf("%d secret reads by the first instance: want the key and the webhook secret once, at cold start", n)
	}
	logs, ok := first.WaitLogs(5*time.Second, `"msg":"job done"`, "message is not a job", `"msg":"job re-sent"`, `"JobsDone"`)
	if !ok {
		t.Errorf("logs lack the jobs' outcomes:\n%s", logs)
	}
	m := emf(t, logs, "hardener-test-worker")
	if m["JobsDone/install"] != 1 || m["JobsRetried/install"] != 1 ||
		m["RateLimitWaitSeconds"] < 590 || m["RateLimitWaitSeconds"] > 600 {
		t.Errorf("first instance's metrics %v: want one install done, one retried after ~600 s of rate limit", m)
	}
	logs, ok = fn.WaitLogs(5*time.Second, `"PullRequestsOpened"`)
	if !ok {
		t.Errorf("the second instance's logs lack PullRequestsOpened:\n%s", logs)
	}
	if m := emf(t, logs, "hardener-test-worker"); m["PullRequestsOpened"] != 2 {
		t.Errorf("second instance's metrics %v: want two PRs opened", m)
	}
}

func completedCheck(r *githubfake.Repo) bool {
	for _, c := range r.CheckRuns() {
		if c.Name == "hardener" && c.Status == "completed" {
			return true
		}
	}
	return false
}
