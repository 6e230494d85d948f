package intake

import (
	"context"
	"log/slog"
	"net/http"
)

type loggerKey struct{}

// ContextWithLogger returns ctx carrying logger.
func ContextWithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// LoggerFrom returns the logger carried by ctx, or one that discards.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// WebhookPath is where GitHub delivers webhooks.
const WebhookPath = "/api/github/webhooks"

// NewMux routes POST /api/github/webhooks to h and answers GET /healthz.
func NewMux(h http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	return mux
}
