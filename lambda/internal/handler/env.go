package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hardener/hardener/app/intake"
)

// Environment variables of the Lambda functions, besides intake.LoadSettings'.
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

// RefuseSSM refuses the SSM variables this build cannot read.
func RefuseSSM(getenv func(string) string) error {
	for _, name := range []string{EnvPrivateKeySSM, EnvWebhookSecretSSM} {
		if getenv(name) != "" {
			return &intake.SettingError{Var: name, Problem: "reading SSM parameters at run time is not supported by this build; let the deployment resolve them into GITHUB_PRIVATE_KEY / GITHUB_WEBHOOK_SECRET"}
		}
	}
	return nil
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
	if err := RefuseSSM(getenv); err != nil {
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
