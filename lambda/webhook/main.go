// Command webhook is the Lambda function behind POST /api/github/webhooks: it
// verifies each delivery and queues its jobs on SQS.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hardener/hardener/lambda/internal/handler"
)

func main() {
	logger := handler.NewLogger()
	h, err := handler.NewWebhookFromEnv(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("not starting", "err", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
