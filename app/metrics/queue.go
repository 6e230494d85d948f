package metrics

import (
	"context"

	"github.com/hardener/hardener/app/intake"
)

// Counted wraps q so that the jobs it accepts count as JobsQueued, by kind,
// in the Recorder of the Enqueue call's context.
func Counted(q intake.Enqueuer) intake.Enqueuer { return counted{q} }

type counted struct{ q intake.Enqueuer }

func (c counted) Enqueue(ctx context.Context, jobs ...intake.Job) error {
	if err := c.q.Enqueue(ctx, jobs...); err != nil {
		return err
	}
	rec := From(ctx)
	for _, j := range jobs {
		rec.Add(JobsQueued, string(j.Kind), 1)
	}
	return nil
}
