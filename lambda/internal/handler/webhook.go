package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app/intake"
)

// Webhook is the webhook intake behind API Gateway (HTTP API, payload format
// 2.0) or a Lambda function URL, which send the same event shape. It hands
// the request to intake.Handler, the handler `hardener serve` uses: signature
// check over the raw (base64-decoded) body before anything else, routing,
// enqueueing, and the same status codes. It never waits for a job.
type Webhook struct {
	handler *intake.Handler
	logger  *slog.Logger
}

// NewWebhook returns the intake for deliveries signed with secret, queueing
// jobs on q.
func NewWebhook(secret []byte, q intake.Enqueuer, logger *slog.Logger) *Webhook {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Webhook{handler: intake.NewHandler(secret, q, logger), logger: logger}
}

// Handle answers one HTTP request event.
func (w *Webhook) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			w.logger.Warn("webhook body is not valid base64", "err", err)
			return textResponse(http.StatusBadRequest, "bad request"), nil
		}
		body = decoded
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://lambda.invalid"+intake.WebhookPath, bytes.NewReader(body))
	if err != nil {
		return textResponse(http.StatusBadRequest, "bad request"), nil
	}
	for k, v := range ev.Headers {
		// HTTP APIs lower-case header names and join repeated ones with commas.
		req.Header.Set(k, v)
	}
	req.ContentLength = int64(len(body))
	rec := &recorder{header: http.Header{}}
	w.handler.ServeHTTP(rec, req)
	return rec.response(), nil
}

func textResponse(status int, msg string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status, Body: msg + "\n",
		Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"},
	}
}

// recorder is the http.ResponseWriter a Lambda response is made from.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *recorder) response() events.APIGatewayV2HTTPResponse {
	resp := events.APIGatewayV2HTTPResponse{StatusCode: r.status, Body: r.body.String(), Headers: map[string]string{}}
	if resp.StatusCode == 0 {
		resp.StatusCode = http.StatusOK
	}
	for k, vs := range r.header {
		resp.Headers[k] = strings.Join(vs, ", ")
	}
	return resp
}
