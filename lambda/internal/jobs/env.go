package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
	"github.com/hardener/hardener/lambda/internal/budget"
	"github.com/hardener/hardener/lambda/internal/handler"
	"github.com/hardener/hardener/lambda/internal/secrets"
)

// EnvBudgetTable names the DynamoDB table that holds every installation's
// write budget, shared by all concurrent workers (docs/rate-limits.md).
// Unset, each worker keeps its own budget in memory, which is only right
// with one worker.
const EnvBudgetTable = "HARDENER_BUDGET_TABLE"

// budgetTable is a client of the table the environment names, if any.
func budgetTable(ctx context.Context, getenv func(string) string) (*dynamodb.Client, string, error) {
	table := getenv(EnvBudgetTable)
	if table == "" {
		return nil, "", nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("aws configuration: %w", err)
	}
	return dynamodb.NewFromConfig(cfg), table, nil
}

// useBudgetTable makes c keep its write budget in the table the
// environment names, if any.
func useBudgetTable(ctx context.Context, getenv func(string) string, c *ghclient.Clients) error {
	db, table, err := budgetTable(ctx, getenv)
	if db != nil {
		c.SetBudgetStore(&budget.Store{Client: db, Table: table})
	}
	return err
}

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
	if err := useBudgetTable(ctx, getenv, clients); err != nil {
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
	// Posture first: a first scan posts its check run and queues the pull
	// request as a job of its own.
	runner.SetFollowUp(q)
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
	loop := &app.Rescanner{Clients: clients, Queue: metrics.Counted(q), AppID: settings.AppID,
		Observer: app.NewDashboard(settings.AppID, clients)}
	// The marks of the last run, so that unchanged repositories cost only
	// their share of the listing; without the table every run starts cold.
	db, table, err := budgetTable(ctx, getenv)
	if err != nil {
		return nil, err
	}
	if db != nil {
		loop.Marks = &budget.Marks{Client: db, Table: table}
	}
	return &Rescan{Loop: loop, Logger: logger}, nil
}
