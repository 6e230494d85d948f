package app

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

func TestServeShutsDownAndLogsHandedBackJobs(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	started := make(chan struct{}, 1)
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		started <- struct{}{}
		<-block
		return nil
	}), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(intake.ContextWithLogger(context.Background(), slog.New(slog.NewTextHandler(&logs, nil))))
	secret := []byte("s3cret")
	h := intake.NewHandler(secret, q, nil)
	srv := NewServer("", intake.NewMux(h))
	type result struct {
		left []intake.Job
		err  error
	}
	done := make(chan result)
	go func() {
		left, err := Serve(ctx, srv, ln, q, 5*time.Second)
		done <- result{left, err}
	}()
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	body := githubfake.Webhook(t, "installation", "created.json")
	for _, d := range []string{"d1", "d2"} {
		req, _ := http.NewRequest("POST", base+intake.WebhookPath, bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "installation")
		req.Header.Set("X-GitHub-Delivery", d)
		req.Header.Set("X-Hub-Signature-256", intake.Sign(secret, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("deliver %s: %v %v", d, resp, err)
		}
		resp.Body.Close()
	}
	<-started
	cancel()
	for q.Enqueue(context.Background()) == nil { // no jobs: only probes intake
		time.Sleep(time.Millisecond)
	}
	close(block)
	r := <-done
	if r.err != nil || len(r.left) != 1 || r.left[0].Delivery != "d2" {
		t.Fatalf("Serve = %+v, %v; want the second delivery handed back", r.left, r.err)
	}
	if !strings.Contains(logs.String(), "job not run before shutdown") || !strings.Contains(logs.String(), "delivery=d2") {
		t.Fatalf("handed-back job not logged:\n%s", logs.String())
	}
}
