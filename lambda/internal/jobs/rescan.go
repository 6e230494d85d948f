package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/intake"
)

// Rescan is the scheduled function: each invocation runs the App's
// reconciliation loop (app.Rescanner) once.
type Rescan struct {
	Loop   *app.Rescanner
	Logger *slog.Logger
	Now    func() time.Time // when the event has no time; nil: time.Now
}

// Handle runs one scheduled invocation at the event's time.
func (r *Rescan) Handle(ctx context.Context, ev events.CloudWatchEvent) error {
	ctx, flush := invocationMetrics(ctx)
	defer flush()
	logger := r.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := ev.Time
	if now.IsZero() {
		now = time.Now()
		if r.Now != nil {
			now = r.Now()
		}
	}
	return r.Loop.Run(intake.ContextWithLogger(ctx, logger), now)
}
