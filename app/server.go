package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/hardener/hardener/app/intake"
)

// NewServer returns an http.Server with timeouts suited to webhook intake:
// GitHub waits at most 10 s for an answer.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve runs srv on ln until ctx is done, then stops taking requests and shuts
// the queue down. Jobs still queued at that point are logged one per line,
// so that an operator can re-run them, and returned.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, q *Queue, grace time.Duration) ([]intake.Job, error) {
	logger := intake.LoggerFrom(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String())
	var serveErr error
	select {
	case err := <-errc:
		serveErr = err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("http shutdown", "err", err)
	}
	left, qerr := q.Shutdown(sctx)
	for _, j := range left {
		logger.Warn("job not run before shutdown", j.LogArgs()...)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return left, serveErr
	}
	return left, qerr
}
