package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/hardener/hardener/app/intake"
)

// The intake types and functions, under the names the rest of the App
// uses. They live in app/intake so that the webhook Lambda does not link
// the scanners.
type (
	Job             = intake.Job
	JobKind         = intake.JobKind
	Runner          = intake.Runner
	RunnerFunc      = intake.RunnerFunc
	Enqueuer        = intake.Enqueuer
	RetryError      = intake.RetryError
	RetryAfterError = intake.RetryAfterError
	Handler         = intake.Handler
)

// Job kinds, the check-run action and the webhook route.
const (
	JobInstall            = intake.JobInstall
	JobCheck              = intake.JobCheck
	JobRefreshPR          = intake.JobRefreshPR
	JobUninstall          = intake.JobUninstall
	JobRescan             = intake.JobRescan
	ActionOpenHardeningPR = intake.ActionOpenHardeningPR
	WebhookPath           = intake.WebhookPath
	DefaultAPIURL         = intake.DefaultAPIURL
	DefaultWorkers        = intake.DefaultWorkers
	DefaultWriteRate      = intake.DefaultWriteRate
)

// NewHandler is intake.NewHandler.
func NewHandler(secret []byte, q Enqueuer, logger *slog.Logger) *Handler {
	return intake.NewHandler(secret, q, logger)
}

// ContextWithLogger is intake.ContextWithLogger.
func ContextWithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return intake.ContextWithLogger(ctx, logger)
}

// LoggerFrom is intake.LoggerFrom.
func LoggerFrom(ctx context.Context) *slog.Logger { return intake.LoggerFrom(ctx) }

// NewMux is intake.NewMux.
func NewMux(h http.Handler) *http.ServeMux { return intake.NewMux(h) }
