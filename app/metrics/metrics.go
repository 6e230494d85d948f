// Package metrics carries the App's measurements — jobs by outcome and kind,
// pull requests opened and updated, time spent waiting for GitHub's rate
// limits — from the code that knows them to whatever the front end keeps:
// CloudWatch Embedded Metric Format lines on Lambda (EMF), log records in
// `hardener serve` (Log). The Recorder travels in the context, like the
// logger, so that no step needs a new parameter; without one, measurements
// are dropped.
package metrics

import (
	"context"
	"log/slog"
)

// Name is a metric's name as CloudWatch shows it.
type Name string

// The App's metrics. Each is a count unless its unit says otherwise.
const (
	// JobsDone, JobsFailed and JobsRetried count jobs by outcome; the
	// dimension is the job kind (install, rescan, check, …). A retried job
	// asked to run again later (rate limit, GitHub busy); a failed one will
	// not be retried by the App.
	JobsDone    Name = "JobsDone"
	JobsFailed  Name = "JobsFailed"
	JobsRetried Name = "JobsRetried"
	// PullRequestsOpened and PullRequestsUpdated count hardening PRs.
	PullRequestsOpened  Name = "PullRequestsOpened"
	PullRequestsUpdated Name = "PullRequestsUpdated"
	// RateLimitWait is how long GitHub asked the App to wait, in seconds.
	RateLimitWait Name = "RateLimitWaitSeconds"
	// JobsQueued counts jobs put on the queue, by kind (see Counted).
	JobsQueued Name = "JobsQueued"
	// DashboardUpdates counts writes to organisation dashboards;
	// DashboardErrors the dashboards that could not be refreshed.
	DashboardUpdates Name = "DashboardUpdates"
	DashboardErrors  Name = "DashboardErrors"
)

// Unit is the CloudWatch unit of a metric.
func (n Name) Unit() string {
	if n == RateLimitWait {
		return "Seconds"
	}
	return "Count"
}

// Dimension is the name of the metric's dimension ("" for none): the job
// kind for the Jobs… metrics.
func (n Name) Dimension() string {
	switch n {
	case JobsQueued, JobsDone, JobsFailed, JobsRetried:
		return "JobKind"
	}
	return ""
}

// Recorder receives measurements. dim is the value of the metric's one
// dimension (the job kind for the Jobs… metrics), "" for none.
// Implementations are safe for concurrent use.
type Recorder interface {
	Add(name Name, dim string, value float64)
}

type ctxKey struct{}

// WithRecorder returns ctx carrying r.
func WithRecorder(ctx context.Context, r Recorder) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// Has reports whether ctx carries a Recorder.
func Has(ctx context.Context) bool {
	r, ok := ctx.Value(ctxKey{}).(Recorder)
	return ok && r != nil
}

// From returns the context's Recorder, or one that drops everything.
func From(ctx context.Context) Recorder {
	if r, ok := ctx.Value(ctxKey{}).(Recorder); ok && r != nil {
		return r
	}
	return nop{}
}

type nop struct{}

func (nop) Add(Name, string, float64) {}

// Log is a Recorder that writes each measurement as one log record
// (message "metric", attributes metric, dim, value, unit): what `hardener
// serve` keeps, for a log pipeline to count.
type Log struct{ Logger *slog.Logger }

// Add logs the measurement.
func (l Log) Add(name Name, dim string, value float64) {
	if l.Logger == nil {
		return
	}
	attrs := []any{"metric", string(name), "value", value, "unit", name.Unit()}
	if dim != "" {
		attrs = append(attrs, "dim", dim)
	}
	l.Logger.Info("metric", attrs...)
}
