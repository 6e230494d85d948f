package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/lambda/internal/handler"
	"github.com/hardener/hardener/lambda/internal/sqsfake"
)

func itoa(i int) string       { return strconv.Itoa(i) }
func itoa64(i int64) string   { return strconv.FormatInt(i, 10) }
func strptr(s string) *string { return &s }

func sqsRecord(t *testing.T, id string, j intake.Job, attrs map[string]string) events.SQSMessage {
	t.Helper()
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	m := events.SQSMessage{MessageId: id, ReceiptHandle: "rh-" + id, Body: string(b),
		MessageAttributes: map[string]events.SQSMessageAttribute{}}
	for k, v := range attrs {
		m.MessageAttributes[k] = events.SQSMessageAttribute{DataType: "Number", StringValue: strptr(v)}
	}
	return m
}

// outcomes is a Runner that answers per repository.
type outcomes map[string]error

func (o outcomes) Run(_ context.Context, j intake.Job) error { return o[j.Repo] }

func failedIDs(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestWorkerReportsPartialBatchFailure(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"}, Runner: outcomes{
		"bad": errors.New("boom"),
	}}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "good"}, nil),
		sqsRecord(t, "2", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "bad"}, nil),
		{MessageId: "3", Body: "not a job"},
		sqsRecord(t, "4", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "good2"}, nil),
	}}
	resp, err := w.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); len(got) != 2 || got[0] != "2" || got[1] != "3" {
		t.Errorf("batch item failures = %v, want [2 3]", got)
	}
	if n := sqsFake.Calls(); n != 0 {
		t.Errorf("SQS called %d times", n)
	}
}

func TestWorkerResendsRetryWithDelay(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err         error
		wantDelay   int32
		notBefore   bool
		wantAttempt string
	}{
		"retry error": {&intake.RetryError{After: 90 * time.Second}, 90, false, "3"},
		// Waiting for GitHub's pause or the write budget is no attempt.
		"rate limited, rounded up": {&ghclient.RateLimitedError{Until: time.Now().Add(119500 * time.Millisecond)}, 120, false, "2"},
		"longer than SQS allows":   {&intake.RetryError{After: time.Hour}, 900, true, "3"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sqsFake := sqsfake.New(t)
			w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"}, Runner: outcomes{"limited": tc.err}}
			job := intake.Job{Kind: intake.JobRescan, InstallationID: 5, Owner: "o", Repo: "limited", RepoID: 9}
			resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
				sqsRecord(t, "1", job, map[string]string{handler.AttrAttempt: "2"}),
			}})
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v, %v: a retried job must be deleted, not failed", resp.BatchItemFailures, err)
			}
			msgs := sqsFake.Messages()
			if len(msgs) != 1 {
				t.Fatalf("sent %d messages, want one re-send", len(msgs))
			}
			m := msgs[0]
			if m.DelaySeconds != tc.wantDelay || m.Attributes[handler.AttrAttempt] != tc.wantAttempt || m.Job(t) != job {
				t.Errorf("re-sent %+v, want delay %d and attempt %s", m, tc.wantDelay, tc.wantAttempt)
			}
			if _, ok := m.Attributes[handler.AttrNotBefore]; ok != tc.notBefore {
				t.Errorf("not_before present = %v, want %v", ok, tc.notBefore)
			}
		})
	}
}

func TestWorkerWaitsOutNotBeforeWithoutRunning(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	ran := false
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"},
		Runner: runnerFunc(func(context.Context, intake.Job) error { ran = true; return nil })}
	nb := strconv.FormatInt(time.Now().Add(30*time.Minute).Unix(), 10)
	resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobRescan, InstallationID: 1, Owner: "o", Repo: "r"}, map[string]string{handler.AttrAttempt: "1", handler.AttrNotBefore: nb}),
	}})
	msgs := sqsFake.Messages()
	if ran || len(resp.BatchItemFailures) != 0 || len(msgs) != 1 || msgs[0].DelaySeconds != 900 || msgs[0].Attributes[handler.AttrAttempt] != "1" {
		t.Fatalf("ran=%v failures=%v sent=%+v", ran, resp.BatchItemFailures, msgs)
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"},
		Runner: outcomes{"r": &intake.RetryError{After: time.Second}}}
	resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "r"}, map[string]string{handler.AttrAttempt: itoa(app.MaxAttempts - 1)}),
	}})
	if got := failedIDs(resp); len(got) != 1 || sqsFake.Calls() != 0 {
		t.Fatalf("failures %v, SQS calls %d: want the record failed and nothing re-sent", got, sqsFake.Calls())
	}
}

func TestWorkerPutsBackWhenOutOfTime(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	ran := false
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"},
		Runner: runnerFunc(func(context.Context, intake.Job) error { ran = true; return nil })}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // < DefaultStartMargin
	defer cancel()
	resp, _ := w.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "r"}, nil),
	}})
	if ran || len(resp.BatchItemFailures) != 0 || len(sqsFake.Messages()) != 1 {
		t.Fatalf("ran=%v failures=%v sent=%d", ran, resp.BatchItemFailures, len(sqsFake.Messages()))
	}
}

func TestWorkerFIFOHidesRetryAndStopsAtFailure(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs.fifo"},
		Runner: outcomes{"limited": &intake.RetryError{After: 2 * time.Minute}}}
	resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "limited"}, nil),
		sqsRecord(t, "2", intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "next"}, nil),
	}})
	if got := failedIDs(resp); len(got) != 2 {
		t.Errorf("failures = %v, want both (order within the group)", got)
	}
	if sqsFake.Visibility("rh-1") != 120 || len(sqsFake.Messages()) != 0 {
		t.Errorf("visibility %v, sent %d: want the message hidden 120 s and nothing re-sent", sqsFake.Visibility("rh-1"), len(sqsFake.Messages()))
	}
}

// TestWorkerParkedJobNeverReachesTheDeadLetterQueue: a job parked on its
// last attempt is re-sent, not failed.
func TestWorkerParkedJobNeverReachesTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"},
		Runner: outcomes{"r": &intake.RetryError{After: time.Minute, Err: &ghclient.RateLimitedError{Until: time.Now().Add(time.Minute), Reason: "write budget"}}}}
	resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobRefreshPR, InstallationID: 1, Owner: "o", Repo: "r"}, map[string]string{handler.AttrAttempt: itoa(app.MaxAttempts - 1)}),
	}})
	msgs := sqsFake.Messages()
	if len(resp.BatchItemFailures) != 0 || len(msgs) != 1 || msgs[0].Attributes[handler.AttrAttempt] != itoa(app.MaxAttempts-1) {
		t.Fatalf("failures %v, sent %+v: want re-sent with its attempt count", resp.BatchItemFailures, msgs)
	}
}

// TestWorkerJobDeadlineComesFromTheInvocation: a job gets the invocation's
// remaining time less the reserve for putting it back; when it runs out,
// it goes back to the queue at once, not to the dead-letter queue.
func TestWorkerJobDeadlineComesFromTheInvocation(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	var jobDeadline time.Time
	w := &Worker{Queue: &handler.Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"},
		StartMargin: 100 * time.Millisecond, ResendReserve: 300 * time.Millisecond,
		Runner: runnerFunc(func(ctx context.Context, _ intake.Job) error {
			jobDeadline, _ = ctx.Deadline()
			<-ctx.Done()
			return ctx.Err()
		})}
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	invocation, _ := ctx.Deadline()
	resp, _ := w.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, "1", intake.Job{Kind: intake.JobInstall, InstallationID: 1, Owner: "o", Repo: "r"}, nil),
	}})
	if d := invocation.Sub(jobDeadline); d < 290*time.Millisecond || d > 310*time.Millisecond {
		t.Errorf("job deadline %v before the invocation's, want the reserve", d)
	}
	msgs := sqsFake.Messages()
	if len(resp.BatchItemFailures) != 0 || len(msgs) != 1 || msgs[0].DelaySeconds != 0 || msgs[0].Attributes[handler.AttrAttempt] != "1" {
		t.Fatalf("failures %v, sent %+v: want the job queued again at once", resp.BatchItemFailures, msgs)
	}
}

// runnerFunc adapts a function to intake.Runner.
type runnerFunc func(ctx context.Context, job intake.Job) error

func (f runnerFunc) Run(ctx context.Context, job intake.Job) error { return f(ctx, job) }
