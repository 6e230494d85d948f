package emulator

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/lambda/internal/secretsfake"
	"github.com/hardener/hardener/lambda/internal/sqsfake"
)

// scheduledEvent is what EventBridge sends a function on a schedule.
func scheduledEvent(at time.Time) events.CloudWatchEvent {
	return events.CloudWatchEvent{
		Version: "0", ID: "5b2c6f3e-0000-4000-8000-000000000001", DetailType: "Scheduled Event",
		Source: "aws.events", AccountID: "123456789012", Time: at, Region: "eu-west-1",
		Resources: []string{"arn:aws:events:eu-west-1:123456789012:rule/hardener-test-rescan"},
		Detail:    json.RawMessage(`{}`),
	}
}

func startRescan(t *testing.T, gh *githubfake.Fake, sqs *sqsfake.Fake) *Function {
	t.Helper()
	bin := bootstrap(t, "rescan")
	store := secretsfake.New(t)
	store.PutParameter("/hardener/test/private-key", string(githubfake.AppKey(t)), true)
	store.PutParameter("/hardener/test/webhook-secret", "emulator-webhook-secret", true)
	return Start(t, bin, append(awsEnv(sqs.URL(), store.URL()),
		"AWS_LAMBDA_FUNCTION_NAME=hardener-test-rescan", "AWS_LAMBDA_FUNCTION_TIMEOUT=300",
		"HARDENER_QUEUE_URL="+jobsQueue, "HARDENER_WRITE_RATE=0",
		"GITHUB_APP_ID=1", "GITHUB_API_URL="+gh.URL(),
		"GITHUB_PRIVATE_KEY_SSM=/hardener/test/private-key",
		"GITHUB_WEBHOOK_SECRET_SSM=/hardener/test/webhook-secret",
	)...)
}

// TestRescanFunction runs lambda/rescan under the emulator with a
// scheduled event: every repository of every installation gets a rescan
// job on the queue (archived ones do not).
func TestRescanFunction(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t)
	gh.AddRepo("octo-org", "alpha", weakRepo())
	gh.AddRepo("octo-org", "beta", weakRepo())
	gh.AddRepo("octo-org", "old", weakRepo(), githubfake.Archived())
	sqs := sqsfake.New(t)
	fn := startRescan(t, gh, sqs)
	if err := fn.Invoke(context.Background(), scheduledEvent(time.Now().UTC()), nil); err != nil {
		t.Fatalf("rescan: %v", err)
	}
	got := map[string]intake.JobKind{}
	for _, m := range sqs.Messages() {
		j := m.Job(t)
		got[j.Owner+"/"+j.Repo] = j.Kind
	}
	if len(got) != 2 || got["octo-org/alpha"] != intake.JobRescan || got["octo-org/beta"] != intake.JobRescan {
		t.Errorf("queued %v, want a rescan of alpha and beta", got)
	}
	logs, _ := fn.WaitLogs(5*time.Second, `"JobsQueued"`)
	if m := emf(t, logs, "hardener-test-rescan"); m["JobsQueued/rescan"] != 2 {
		t.Errorf("metrics %v, want JobsQueued/rescan = 2", m)
	}
}
