package app

import (
	"context"
	"errors"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
)

// withMetrics gives a job the Worker's Recorder (WorkerOptions.Metrics)
// unless the caller brought its own (the Lambda worker: one per invocation).
func (w *Worker) withMetrics(ctx context.Context) context.Context {
	if w.opts.Metrics == nil || metrics.Has(ctx) {
		return ctx
	}
	return metrics.WithRecorder(ctx, w.opts.Metrics)
}

// recordJob counts a job's outcome by kind — done, retried (and how long
// GitHub asked to wait when it was a rate limit), failed — and returns err
// unchanged.
func recordJob(ctx context.Context, job intake.Job, err error) error {
	rec, kind := metrics.From(ctx), string(job.Kind)
	delay, retry := ghclient.RetryDelay(err, 0)
	switch {
	case err == nil:
		rec.Add(metrics.JobsDone, kind, 1)
	case retry:
		rec.Add(metrics.JobsRetried, kind, 1)
		if rateLimited(err) {
			rec.Add(metrics.RateLimitWait, "", delay.Seconds())
		}
	default:
		rec.Add(metrics.JobsFailed, kind, 1)
	}
	return err
}

func rateLimited(err error) bool {
	var paced *ghclient.RateLimitedError
	var primary *github.RateLimitError
	var secondary *github.AbuseRateLimitError
	return errors.As(err, &paced) || errors.As(err, &primary) || errors.As(err, &secondary)
}

// recordPR counts the hardening PR opened or updated by a job.
func recordPR(ctx context.Context, pr *prOutcome) {
	switch {
	case pr == nil:
	case pr.State == prOpened:
		metrics.From(ctx).Add(metrics.PullRequestsOpened, "", 1)
	case pr.State == prUpdated:
		metrics.From(ctx).Add(metrics.PullRequestsUpdated, "", 1)
	}
}

// SetMetrics makes r receive the measurements of jobs whose context brings
// no Recorder (see WorkerOptions.Metrics). Call it before the first job.
func (w *Worker) SetMetrics(r metrics.Recorder) { w.opts.Metrics = r }
