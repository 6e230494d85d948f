package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/lambda/internal/handler"
)

// DefaultStartMargin is the time a record needs left before the function's
// deadline to be started; later records are put back for another invocation.
const DefaultStartMargin = 60 * time.Second

// budgetParkSpread spreads the return of jobs parked for the write budget.
const budgetParkSpread = 5 * time.Minute

// DefaultResendReserve is the time kept back from a job's deadline to put
// it back on the queue when it did not finish.
const DefaultResendReserve = 15 * time.Second

// Worker runs the jobs of an SQS batch with an intake.Runner, one after the
// other. Failed records are reported as batch item failures, so that only
// they are received again (and end in the dead-letter queue after the
// queue's maxReceiveCount). A job that asks to be retried is re-sent with a
// delay and its original deleted, so that waiting never counts toward the
// dead-letter limit: waiting for GitHub's pause or the write budget keeps
// the job's attempt count, failures that may pass (server errors) add one.
// Each job runs with a deadline taken from the invocation's remaining time;
// one that does not finish goes back to the queue and resumes from what it
// left in GitHub.
type Worker struct {
	Runner        intake.Runner
	Queue         *handler.Queue
	Logger        *slog.Logger
	StartMargin   time.Duration // 0: DefaultStartMargin
	ResendReserve time.Duration // 0: DefaultResendReserve
}

// Handle processes one batch.
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	ctx, flush := invocationMetrics(ctx)
	defer flush()
	logger := w.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		logger = logger.With("aws_request_id", lc.AwsRequestID)
	}
	var resp events.SQSEventResponse
	fail := func(id string) {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	for i, msg := range ev.Records {
		if w.Queue.FIFO() && len(resp.BatchItemFailures) > 0 {
			// Order within a message group: nothing after a failure runs.
			fail(msg.MessageId)
			continue
		}
		if !w.record(ctx, logger.With("message_id", msg.MessageId), msg, i) {
			fail(msg.MessageId)
		}
	}
	return resp, nil
}

// record handles one message and reports whether it may be deleted.
func (w *Worker) record(ctx context.Context, logger *slog.Logger, msg events.SQSMessage, index int) bool {
	var job intake.Job
	if err := json.Unmarshal([]byte(msg.Body), &job); err != nil {
		logger.Error("message is not a job; left for the dead-letter queue", "err", err)
		return false
	}
	logger = logger.With(job.LogArgs()...)
	attempt := intAttr(msg, handler.AttrAttempt)

	if nb := intAttr(msg, handler.AttrNotBefore); nb > 0 {
		if wait := time.Until(time.Unix(int64(nb), 0)); wait > 0 {
			return w.putBack(ctx, logger, msg, job, attempt, wait, "still waiting for GitHub")
		}
	}
	margin := w.StartMargin
	if margin == 0 {
		margin = DefaultStartMargin
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < margin {
		return w.putBack(ctx, logger, msg, job, attempt, 0, "too little time left in this invocation")
	}

	reserve := w.ResendReserve
	if reserve == 0 {
		reserve = DefaultResendReserve
	}
	jobCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		jobCtx, cancel = context.WithDeadline(ctx, dl.Add(-reserve))
		defer cancel()
	}
	start := time.Now()
	err := runJob(intake.ContextWithLogger(jobCtx, logger), w.Runner, job)
	if err == nil {
		logger.Info("job done", "attempt", attempt+1, "took", time.Since(start).Round(time.Millisecond))
		return true
	}
	if jobCtx.Err() != nil && ctx.Err() == nil {
		// Out of time, not failed: what the job did is in GitHub (check
		// run, branch, pull request), and its next run takes it from there.
		logger.Warn("job did not finish before the invocation's deadline; queued again", "attempt", attempt+1, "err", err)
		return w.putBack(ctx, logger, msg, job, attempt+1, 0, "invocation deadline")
	}
	park := ghclient.IsPark(err)
	delay, retry := ghclient.RetryDelay(err, attempt)
	switch {
	case !retry:
		logger.Error("job failed", "attempt", attempt+1, "err", err)
		return false
	case park:
		var rl *ghclient.RateLimitedError
		if errors.As(err, &rl) && rl.Reason == "write budget" {
			// Jobs waiting for the budget come back spread out, not all at
			// the slot that frees: the first to come takes it, the others
			// park again at the cost of one read of the budget table.
			delay += rand.N(budgetParkSpread)
		}
		logger.Info("job parked", "after", delay, "err", err)
		return w.putBack(ctx, logger, msg, job, attempt, delay, "wait")
	case attempt+1 >= app.MaxAttempts:
		logger.Error("job still asks for a retry after the last attempt", "attempt", attempt+1, "err", err)
		return false
	}
	logger.Info("job will be retried", "after", delay, "attempt", attempt+1, "err", err)
	return w.putBack(ctx, logger, msg, job, attempt+1, delay, "retry")
}

// putBack queues the job again after delay and reports whether the original
// may be deleted. A FIFO queue has no per-message delay: there the message is
// hidden for delay and reported failed, which does count as a receive.
func (w *Worker) putBack(ctx context.Context, logger *slog.Logger, msg events.SQSMessage, job intake.Job, attempt int, delay time.Duration, why string) bool {
	if w.Queue.FIFO() {
		if err := w.Queue.Hide(ctx, msg.ReceiptHandle, delay); err != nil {
			logger.Error("could not delay message", "err", err, "reason", why)
		}
		return false
	}
	// The re-send must succeed even when the invocation is about to end.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.Queue.Resend(sctx, job, attempt, delay); err != nil {
		logger.Error("could not re-send job; the message will be received again", "err", err, "reason", why)
		return false
	}
	logger.Info("job re-sent", "delay", delay, "reason", why)
	return true
}

// runJob runs one job, turning a panic into an error so that the rest of the
// batch still runs.
func runJob(ctx context.Context, r intake.Runner, job intake.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job panicked: %v", p)
		}
	}()
	return r.Run(ctx, job)
}

func intAttr(msg events.SQSMessage, name string) int {
	a, ok := msg.MessageAttributes[name]
	if !ok || a.StringValue == nil {
		return 0
	}
	n, err := strconv.Atoi(*a.StringValue)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
