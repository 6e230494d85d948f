package emulator

import (
	"context"
	"encoding/json"
	"strings"
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
// job on the queue (archived ones do not), and the organisation's
// dashboard issue is created, then left alone when nothing changed.
func TestRescanFunction(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t)
	org := gh.AddRepo("octo-org", ".github", map[string]string{".github/hardener.yml": "dashboard: {enabled: true}\n"})
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
	if len(got) != 3 || got["octo-org/alpha"] != intake.JobRescan || got["octo-org/beta"] != intake.JobRescan {
		t.Errorf("queued %v, want a rescan of .github, alpha and beta", got)
	}
	issues := org.Issues()
	if len(issues) != 1 || issues[0].Author != "hardener[bot]" || !strings.Contains(issues[0].Body, "3 of 3 repositories are waiting") {
		t.Fatalf("dashboard issues %+v", issues)
	}
	logs, _ := fn.WaitLogs(5*time.Second, `"JobsQueued"`, `"DashboardUpdates"`)
	if m := emf(t, logs, "hardener-test-rescan"); m["JobsQueued/rescan"] != 3 || m["DashboardUpdates"] != 1 {
		t.Errorf("metrics %v, want JobsQueued/rescan = 3 and one dashboard update", m)
	}

	// The next day: nothing changed, nothing written.
	if err := fn.Invoke(context.Background(), scheduledEvent(time.Now().UTC().Add(24*time.Hour)), nil); err != nil {
		t.Fatalf("rescan: %v", err)
	}
	if issues := org.Issues(); len(issues) != 1 || issues[0].Edits != 0 {
		t.Errorf("dashboard issues after an unchanged rescan: %+v", issues)
	}
	// Each invocation writes its metrics when it ends.
	logs, _ = fn.WaitFor(5*time.Second, func(l string) bool { return strings.Count(l, `"Name":"JobsQueued"`) >= 2 })
	if m := emf(t, logs, "hardener-test-rescan"); m["DashboardUpdates"] != 1 || m["JobsQueued/rescan"] != 6 {
		t.Errorf("metrics over both runs %v", m)
	}
}
