// Command worker is the Lambda function fed by the SQS jobs queue.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/lambda/internal/handler"
	"github.com/hardener/hardener/lambda/internal/jobs"
)

func main() {
	// Scorecard runs in a child process of this same executable, with
	// bounded memory and time (scorecard.Sandbox).
	if code, ok := app.ScorecardChild(os.Args, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	logger := handler.NewLogger()
	h, err := jobs.NewWorkerFromEnv(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("not starting", "err", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
