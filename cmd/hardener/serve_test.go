package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// lockedBuffer is an io.Writer the server logs to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// servingAddr waits for the server's "serving" log line and returns its address.
func servingAddr(t *testing.T, logs *lockedBuffer, exited <-chan int) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				return line.Addr
			}
		}
		select {
		case code := <-exited:
			t.Fatalf("serve exited %d before serving:\n%s", code, logs.String())
		case <-deadline:
			t.Fatalf("serve did not start:\n%s", logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestServeAnswersWebhooksAndHealth(t *testing.T) {
	t.Parallel()
	// GitHub is only reached by the jobs, which this test does not judge:
	// a stand-in that answers 404 keeps them off the network.
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Not Found"}`))
	}))
	defer gh.Close()
	secret := "serve-test-secret"
	env := map[string]string{
		"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": testPEM(t), "GITHUB_WEBHOOK_SECRET": secret,
		"GITHUB_API_URL": gh.URL, "HARDENER_WORKERS": "1", "HARDENER_WRITE_RATE": "0",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs lockedBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--shutdown-timeout", "5s"}, &logs, func(k string) string { return env[k] })
	}()
	base := "http://" + servingAddr(t, &logs, exited)

	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	post := func(event string, body []byte, sig string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+intake.WebhookPath, bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", "delivery-"+event)
		req.Header.Set("X-Hub-Signature-256", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ping := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	if got := post("ping", ping, intake.Sign([]byte(secret), ping)); got != http.StatusOK {
		t.Errorf("signed ping = %d, want 200", got)
	}
	if got := post("ping", ping, intake.Sign([]byte("wrong"), ping)); got != http.StatusUnauthorized {
		t.Errorf("wrongly signed ping = %d, want 401", got)
	}
	created := githubfake.Webhook(t, "installation", "created.json")
	if got := post("installation", created, intake.Sign([]byte(secret), created)); got != http.StatusAccepted {
		t.Errorf("installation created = %d, want 202", got)
	}

	cancel() // as SIGTERM does through main's signal context
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit %d after shutdown:\n%s", code, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(logs.String(), secret) {
		t.Error("the webhook secret was logged")
	}
}

func TestServeRefusesToStartWithoutSecret(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": testPEM(t)}
	var errb lockedBuffer
	code := serve(context.Background(), []string{"--addr", "127.0.0.1:0"}, &errb, func(k string) string { return env[k] })
	if code != 2 || !strings.Contains(errb.String(), "GITHUB_WEBHOOK_SECRET") || !strings.Contains(errb.String(), "not starting") {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
}
