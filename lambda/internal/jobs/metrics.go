package jobs

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/hardener/hardener/app/metrics"
)

// invocationMetrics gives one invocation its own Recorder and returns the
// function that writes what it recorded to stdout as CloudWatch Embedded
// Metric Format lines (CloudWatch Logs turns them into metrics in the
// Hardener namespace, dimension Function = the function's name).
func invocationMetrics(ctx context.Context) (context.Context, func()) {
	name := lambdacontext.FunctionName
	if name == "" {
		name = "unknown"
	}
	e := &metrics.EMF{Dimensions: map[string]string{"Function": name}}
	return metrics.WithRecorder(ctx, e), func() { _ = e.Flush(os.Stdout, time.Now()) }
}
