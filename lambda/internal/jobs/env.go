package jobs

import (
	"context"
	"log/slog"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
	"github.com/hardener/hardener/lambda/internal/handler"
	"github.com/hardener/hardener/lambda/internal/secrets"
)

// clientsFromEnv reads the App's settings, the private key and webhook
// secret from SSM or Secrets Manager when the environment names them.
func clientsFromEnv(ctx context.Context, getenv func(string) string) (intake.Settings, *ghclient.Clients, error) {
	getenv, err := handler.LoadSecrets(ctx, getenv, secrets.PrivateKey, secrets.WebhookSecret)
	if err != nil {
		return intake.Settings{}, nil, err
	}
	s, err := intake.LoadSettings(getenv)
	if err != nil {
		return s, nil, err
	}
	c, err := ghclient.NewClients(s.AppID, s.PrivateKey, s.APIURL, nil)
	if err != nil {
		return s, nil, err
	}
	c.SetWriteRate(s.WriteRate)
	return s, c, nil
}

// NewWorkerFromEnv builds the queue worker function.
func NewWorkerFromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Worker, error) {
	_, clients, err := clientsFromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	runner, err := app.NewAppWorker(clients)
	if err != nil {
		return nil, err
	}
	q, err := handler.NewSQSQueue(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return &Worker{Runner: runner, Queue: q, Logger: logger}, nil
}

// NewRescanFromEnv builds the scheduled rescan function.
func NewRescanFromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Rescan, error) {
	settings, clients, err := clientsFromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	q, err := handler.NewSQSQueue(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return &Rescan{Loop: &app.Rescanner{Clients: clients, Queue: metrics.Counted(q),
		Observer: app.NewDashboard(settings.AppID, clients)}, Logger: logger}, nil
}
