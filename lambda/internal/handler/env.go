package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/remediations/pin"
)

// Environment variables of the Lambda functions, besides app.LoadSettings'.
const (
	// EnvQueueURL is the SQS queue jobs go to.
	EnvQueueURL = "HARDENER_QUEUE_URL"
	// EnvPrivateKeySSM and EnvWebhookSecretSSM would name SSM parameters to
	// read at cold start. This build has no SSM client: serverless.yml
	// resolves the parameters at deploy time into the plain variables, and
	// setting these is refused rather than ignored.
	EnvPrivateKeySSM    = "GITHUB_PRIVATE_KEY_SSM"
	EnvWebhookSecretSSM = "GITHUB_WEBHOOK_SECRET_SSM"
)

// NewLogger is the functions' logger: JSON on stdout, which Lambda sends to
// CloudWatch Logs.
func NewLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(os.Stdout, nil)) }

func refuseSSM(getenv func(string) string) error {
	for _, name := range []string{EnvPrivateKeySSM, EnvWebhookSecretSSM} {
		if getenv(name) != "" {
			return &app.SettingError{Var: name, Problem: "reading SSM parameters at run time is not supported by this build; let the deployment resolve them into GITHUB_PRIVATE_KEY / GITHUB_WEBHOOK_SECRET"}
		}
	}
	return nil
}

// NewSQSQueue builds the queue named by HARDENER_QUEUE_URL with the default
// AWS configuration (the function's role).
func NewSQSQueue(ctx context.Context, getenv func(string) string) (*Queue, error) {
	url := getenv(EnvQueueURL)
	if url == "" {
		return nil, &app.SettingError{Var: EnvQueueURL, Problem: "required: the URL of the jobs queue"}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws configuration: %w", err)
	}
	return &Queue{Client: sqs.NewFromConfig(cfg), URL: url}, nil
}

// NewWebhookFromEnv builds the webhook function. It needs only the webhook
// secret and the queue, not the App's private key.
func NewWebhookFromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Webhook, error) {
	if err := refuseSSM(getenv); err != nil {
		return nil, err
	}
	secret, err := app.WebhookSecretFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	q, err := NewSQSQueue(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return NewWebhook(secret, q, logger), nil
}

func clientsFromEnv(getenv func(string) string) (app.Settings, *app.Clients, error) {
	if err := refuseSSM(getenv); err != nil {
		return app.Settings{}, nil, err
	}
	s, err := app.LoadSettings(getenv)
	if err != nil {
		return s, nil, err
	}
	c, err := app.NewClients(s.AppID, s.PrivateKey, s.APIURL, nil)
	if err != nil {
		return s, nil, err
	}
	c.SetWriteRate(s.WriteRate)
	return s, c, nil
}

// NewWorkerFromEnv builds the queue worker function.
func NewWorkerFromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Worker, error) {
	_, clients, err := clientsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	runner, err := NewRunner(clients)
	if err != nil {
		return nil, err
	}
	q, err := NewSQSQueue(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return &Worker{Runner: runner, Queue: q, Logger: logger}, nil
}

// NewRescanFromEnv builds the scheduled rescan function.
func NewRescanFromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Rescan, error) {
	_, clients, err := clientsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	q, err := NewSQSQueue(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return &Rescan{Clients: clients, Queue: q, Logger: logger}, nil
}

// NewRunner builds what runs the jobs: the App's job worker, as in
// `hardener serve`, with Scorecard scores and container image digests.
func NewRunner(clients *app.Clients) (app.Runner, error) {
	return app.NewAppWorker(clients, app.WorkerOptions{
		Scorecard: true,
		Images:    pin.Registry{Client: &registry.Client{}},
	})
}
