package emulator

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/lambda/internal/secretsfake"
	"github.com/hardener/hardener/lambda/internal/sqsfake"
)

func apiEvent(event, delivery string, body []byte, sig string, b64 bool) events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST " + intake.WebhookPath, RawPath: intake.WebhookPath,
		Headers: map[string]string{
			"content-type": "application/json", "x-github-event": event,
			"x-github-delivery": delivery, "x-hub-signature-256": sig,
		},
		Body: string(body),
	}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = intake.WebhookPath
	ev.RequestContext.Stage = "$default"
	if b64 {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// TestWebhookFunction runs lambda/webhook under the emulator: the webhook
// secret comes from an SSM SecureString at cold start, signed deliveries
// (plain and base64 bodies, the signature over the decoded bytes) are
// queued on SQS and answered 202, forged ones 401 with nothing queued.
func TestWebhookFunction(t *testing.T) {
	t.Parallel()
	bin := bootstrap(t, "webhook")
	secret := []byte("emulator-webhook-secret")
	sqs, store := sqsfake.New(t), secretsfake.New(t)
	store.PutParameter("/hardener/test/webhook-secret", string(secret), true)
	store.PutParameter("/hardener/test/private-key", "must not be read", true)
	fn := Start(t, bin, append(awsEnv(sqs.URL(), store.URL()),
		"AWS_LAMBDA_FUNCTION_NAME=hardener-test-webhook", "AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"HARDENER_QUEUE_URL="+jobsQueue,
		"GITHUB_WEBHOOK_SECRET_SSM=/hardener/test/webhook-secret",
		// The webhook function never reads the private key.
		"GITHUB_PRIVATE_KEY_SSM=/hardener/test/private-key",
	)...)

	body := githubfake.Webhook(t, "check_suite", "requested.json")
	want, err := intake.Route("check_suite", body)
	if err != nil || len(want) != 1 {
		t.Fatalf("route: %v %v", want, err)
	}
	ping := githubfake.Webhook(t, "ping", "payload.json")
	tests := []struct {
		name   string
		ev     events.APIGatewayV2HTTPRequest
		status int
		queued int
	}{
		{"plain body", apiEvent("check_suite", "guid-plain", body, intake.Sign(secret, body), false), http.StatusAccepted, 1},
		{"base64 body", apiEvent("check_suite", "guid-b64", body, intake.Sign(secret, body), true), http.StatusAccepted, 1},
		{"signature over the base64 text", apiEvent("check_suite", "guid-x", body,
			intake.Sign(secret, []byte(base64.StdEncoding.EncodeToString(body))), true), http.StatusUnauthorized, 0},
		{"wrong secret", apiEvent("check_suite", "guid-y", body, intake.Sign([]byte("guess"), body), false), http.StatusUnauthorized, 0},
		{"no signature", apiEvent("check_suite", "guid-z", body, "", false), http.StatusUnauthorized, 0},
		{"ping", apiEvent("ping", "guid-ping", ping, intake.Sign(secret, ping), false), http.StatusOK, 0},
	}
	// One function, invoked in turn: the emulator runs one invocation at a time.
	for _, tc := range tests {
		before := len(sqs.Messages())
		var resp events.APIGatewayV2HTTPResponse
		if err := fn.Invoke(context.Background(), tc.ev, &resp); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d %q, want %d", tc.name, resp.StatusCode, resp.Body, tc.status)
		}
		msgs := sqs.Messages()[before:]
		if len(msgs) != tc.queued {
			t.Errorf("%s: %d messages queued, want %d", tc.name, len(msgs), tc.queued)
			continue
		}
		for _, m := range msgs {
			j := m.Job(t)
			if m.QueueURL != jobsQueue || j.Kind != intake.JobCheck || j.HeadSHA != want[0].HeadSHA || j.InstallationID != want[0].InstallationID {
				t.Errorf("%s: queued %+v to %s", tc.name, j, m.QueueURL)
			}
		}
	}
	reqs := store.Requests()
	if len(reqs) != 1 || reqs[0].Name != "/hardener/test/webhook-secret" || !reqs[0].WithDecryption {
		t.Errorf("parameter reads %+v: want the webhook secret once, decrypted, at cold start", reqs)
	}
}

// TestWebhookFunctionRefusesToStartWithoutItsSecret: a parameter that does
// not exist stops the cold start; no delivery is accepted.
func TestWebhookFunctionRefusesToStartWithoutItsSecret(t *testing.T) {
	t.Parallel()
	bin := bootstrap(t, "webhook")
	sqs, store := sqsfake.New(t), secretsfake.New(t)
	fn := Start(t, bin, append(awsEnv(sqs.URL(), store.URL()),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10", "HARDENER_QUEUE_URL="+jobsQueue,
		"GITHUB_WEBHOOK_SECRET_SSM=/hardener/test/absent")...)
	body := githubfake.Webhook(t, "ping", "payload.json")
	var resp events.APIGatewayV2HTTPResponse
	err := fn.Invoke(context.Background(), apiEvent("ping", "g", body, intake.Sign([]byte("x"), body), false), &resp)
	if err == nil && resp.StatusCode < 500 {
		t.Fatalf("invocation answered %d %q without a webhook secret", resp.StatusCode, resp.Body)
	}
	if sqs.Calls() != 0 {
		t.Errorf("SQS called %d times", sqs.Calls())
	}
	if logs, ok := fn.WaitLogs(5*time.Second, "GITHUB_WEBHOOK_SECRET_SSM", "ParameterNotFound"); !ok {
		t.Errorf("the logs do not say why:\n%s", logs)
	}
}
