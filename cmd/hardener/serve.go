package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
)

// queueCapacity bounds the jobs waiting in memory (a job is a few hundred
// bytes: 200,000 are some 60 MB). It is far above what installations send
// (one job per repository of an installation), so that a delivery is never
// refused while there is memory for it; beyond it deliveries are answered
// 503 with Retry-After, and the rescan recovers them.
const queueCapacity = 200_000

// rescanFirst is when the first rescan runs after start: it queues again
// what a previous process left queued and recovers failed deliveries.
const rescanFirst = time.Minute

const serveUsage = `usage: hardener serve [--addr :8080] [--shutdown-timeout 30s] [--rescan-interval 24h]

Run the GitHub App as one process: POST /api/github/webhooks, GET /healthz.
A minute after start and then every --rescan-interval it rescans every
installed repository and recovers webhook deliveries that failed, as the
Lambda deployment's scheduled function does.
Configuration comes from the environment: GITHUB_APP_ID, GITHUB_PRIVATE_KEY or
GITHUB_PRIVATE_KEY_FILE, GITHUB_WEBHOOK_SECRET (required), GITHUB_API_URL,
HARDENER_WORKERS, HARDENER_WRITE_RATE.

`

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, args, stderr, os.Getenv)
}

// serve is serveCmd with the environment passed in; logs go to stderr as JSON.
func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	addr := fs.String("addr", ":8080", "listen address")
	grace := fs.Duration("shutdown-timeout", 30*time.Second, "on SIGTERM, how long to let running jobs finish")
	rescanEvery := fs.Duration("rescan-interval", 24*time.Hour, "how often to rescan every repository and recover failed deliveries (0: never)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hardener serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	settings, err := intake.LoadSettings(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hardener serve: invalid configuration, not starting:\n  %s\n",
			strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return 2
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	clients, err := ghclient.NewClients(settings.AppID, settings.PrivateKey, settings.APIURL, nil)
	if err != nil {
		fmt.Fprintln(stderr, "hardener serve:", err)
		return 2
	}
	clients.SetWriteRate(settings.WriteRate)

	runner, err := app.NewAppWorker(clients)
	if err != nil {
		fmt.Fprintln(stderr, "hardener serve:", err)
		return 2
	}
	runner.SetMetrics(metrics.Log{Logger: logger})
	q := app.NewQueue(settings.Workers, queueCapacity, runner, logger)
	runner.SetFollowUp(q)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		q.Shutdown(context.Background())
		fmt.Fprintln(stderr, "hardener serve:", err)
		return 2
	}
	srv := app.NewServer(*addr, intake.NewMux(intake.NewHandler(settings.WebhookSecret, q, logger)))
	logger.Info("starting", "version", version, "settings", settings)
	ctx = intake.ContextWithLogger(ctx, logger)
	if *rescanEvery > 0 {
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		// Marks in memory: the first run after a start asks GitHub about
		// every repository (one query per hundred), the next ones only
		// about those pushed since.
		go app.RescanEvery(rctx, &app.Rescanner{Clients: clients, Queue: metrics.Counted(q), AppID: settings.AppID,
			Observer: app.NewDashboard(settings.AppID, clients), Marks: app.NewMemoryMarks()},
			ghclient.SystemClock(), rescanFirst, *rescanEvery)
	}
	left, err := app.Serve(ctx, srv, ln, q, *grace)
	if len(left) > 0 {
		logger.Warn("jobs handed back at shutdown", "count", len(left))
	}
	if err != nil {
		logger.Error("shutdown", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}
