package handler

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/lambda/internal/sqsfake"
)

var testSecret = []byte("lambda-test-secret")

func httpEvent(event, delivery string, body []byte, sig string, b64 bool) events.APIGatewayV2HTTPRequest {
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
	if b64 {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

func TestWebhookQueuesSignedDelivery(t *testing.T) {
	t.Parallel()
	body := githubfake.Webhook(t, "check_suite", "requested.json")
	for name, b64 := range map[string]bool{"plain": false, "base64": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sqsFake := sqsfake.New(t)
			h := NewWebhook(testSecret, &Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"}, nil)
			resp, err := h.Handle(context.Background(), httpEvent("check_suite", "guid-1", body, intake.Sign(testSecret, body), b64))
			if err != nil || resp.StatusCode != http.StatusAccepted {
				t.Fatalf("response %d %q, %v", resp.StatusCode, resp.Body, err)
			}
			msgs := sqsFake.Messages()
			if len(msgs) != 1 || msgs[0].Target != "SendMessage" {
				t.Fatalf("sent %+v, want one SendMessage", msgs)
			}
			j := msgs[0].Job(t)
			want, _ := intake.Route("check_suite", body)
			if j.Kind != intake.JobCheck || j.Delivery != "guid-1" || j.HeadSHA != want[0].HeadSHA || j.InstallationID != want[0].InstallationID {
				t.Errorf("job = %+v", j)
			}
			if msgs[0].MessageGroupID != "" || msgs[0].DelaySeconds != 0 {
				t.Errorf("standard queue message has FIFO fields or a delay: %+v", msgs[0])
			}
		})
	}
}

func TestWebhookRejectsWrongSignature(t *testing.T) {
	t.Parallel()
	body := githubfake.Webhook(t, "check_suite", "requested.json")
	sqsFake := sqsfake.New(t)
	h := NewWebhook(testSecret, &Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"}, nil)
	for name, ev := range map[string]events.APIGatewayV2HTTPRequest{
		"wrong secret": httpEvent("check_suite", "g", body, intake.Sign([]byte("other"), body), false),
		"missing":      httpEvent("check_suite", "g", body, "", false),
		// The signature covers the decoded bytes, not the base64 text.
		"signed base64 text": httpEvent("check_suite", "g", body, intake.Sign(testSecret, []byte(base64.StdEncoding.EncodeToString(body))), true),
	} {
		resp, err := h.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: response %d, %v; want 401", name, resp.StatusCode, err)
		}
	}
	if n := sqsFake.Calls(); n != 0 {
		t.Errorf("SQS called %d times for rejected deliveries", n)
	}
}

func TestWebhookPingAndMalformed(t *testing.T) {
	t.Parallel()
	sqsFake := sqsfake.New(t)
	h := NewWebhook(testSecret, &Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs"}, nil)
	ping := githubfake.Webhook(t, "ping", "payload.json")
	if resp, _ := h.Handle(context.Background(), httpEvent("ping", "p", ping, intake.Sign(testSecret, ping), false)); resp.StatusCode != http.StatusOK {
		t.Errorf("ping = %d, want 200", resp.StatusCode)
	}
	bad := []byte("{not json")
	if resp, _ := h.Handle(context.Background(), httpEvent("push", "b", bad, intake.Sign(testSecret, bad), false)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed = %d, want 400", resp.StatusCode)
	}
	ev := httpEvent("push", "c", nil, "", false)
	ev.Body, ev.IsBase64Encoded = "%%%", true
	if resp, _ := h.Handle(context.Background(), ev); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad base64 = %d, want 400", resp.StatusCode)
	}
	if n := sqsFake.Calls(); n != 0 {
		t.Errorf("SQS called %d times", n)
	}
}

func TestWebhookFIFOQueueGroupsByInstallation(t *testing.T) {
	t.Parallel()
	body := githubfake.Webhook(t, "installation", "created.json")
	sqsFake := sqsfake.New(t)
	h := NewWebhook(testSecret, &Queue{Client: sqsFake.Client(), URL: "https://sqs.eu-west-1.amazonaws.com/1/jobs.fifo"}, nil)
	resp, _ := h.Handle(context.Background(), httpEvent("installation", "guid-9", body, intake.Sign(testSecret, body), false))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("response %d %q", resp.StatusCode, resp.Body)
	}
	jobs, _ := intake.Route("installation", body)
	msgs := sqsFake.Messages()
	if len(msgs) != len(jobs) || len(msgs) == 0 {
		t.Fatalf("sent %d messages for %d jobs", len(msgs), len(jobs))
	}
	for i, m := range msgs {
		j := m.Job(t)
		if want := "guid-9-" + strconv.Itoa(i); m.MessageDeduplicationID != want || m.MessageGroupID != strconv.FormatInt(j.InstallationID, 10) {
			t.Errorf("message %d: group %q dedupe %q, want group %d dedupe %q", i, m.MessageGroupID, m.MessageDeduplicationID, j.InstallationID, want)
		}
	}
}
