package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/lambda/internal/secrets"
)

// EnvQueueURL is the SQS queue jobs go to (besides intake.LoadSettings'
// variables and the secrets' locations in package secrets).
const EnvQueueURL = "HARDENER_QUEUE_URL"

// SecretsTimeout bounds reading the secrets at cold start: the webhook
// function must answer GitHub within 10 s of a cold start.
const SecretsTimeout = 5 * time.Second

// NewLogger is the functions' logger: JSON on stdout, which Lambda sends to
// CloudWatch Logs.
func NewLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(os.Stdout, nil)) }

// LoadSecrets reads the secrets whose environment names an SSM parameter or
// a Secrets Manager secret (with the function's role) and returns a getenv
// that answers them as GITHUB_PRIVATE_KEY and GITHUB_WEBHOOK_SECRET. It
// reads only which, so that a function never holds a secret it does not
// use. Without any store named it calls no AWS API.
func LoadSecrets(ctx context.Context, getenv func(string) string, which ...secrets.Secret) (func(string) string, error) {
	var stores secrets.Stores
	if secrets.Needed(getenv, which...) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, SecretsTimeout)
		defer cancel()
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws configuration: %w", err)
		}
		stores = secrets.FromConfig(cfg)
	}
	return secrets.Resolve(ctx, getenv, stores, which...)
}

// NewSQSQueue builds the queue named by HARDENER_QUEUE_URL with the default
// AWS configuration (the function's role).
func NewSQSQueue(ctx context.Context, getenv func(string) string) (*Queue, error) {
	url := getenv(EnvQueueURL)
	if url == "" {
		return nil, &intake.SettingError{Var: EnvQueueURL, Problem: "required: the URL of the jobs queue"}
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
	getenv, err := LoadSecrets(ctx, getenv, secrets.WebhookSecret)
	if err != nil {
		return nil, err
	}
	secret, err := intake.WebhookSecretFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	q, err := NewSQSQueue(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return NewWebhook(secret, q, logger), nil
}
