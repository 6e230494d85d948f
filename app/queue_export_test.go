package app

import (
	"context"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
)

// WithQueueClock makes the queue's delays run on clock (default: the
// system's). A clock with Busy and Idle methods (a simulated one) is told
// when workers wait for work.
func WithQueueClock(c ghclient.Clock) QueueOption { return func(q *Queue) { q.clock = c } }

// runnerFunc adapts a function to intake.Runner.
type runnerFunc func(ctx context.Context, job intake.Job) error

func (f runnerFunc) Run(ctx context.Context, job intake.Job) error { return f(ctx, job) }
