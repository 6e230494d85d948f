// Package sqsfake is an SQS endpoint for tests. It speaks the AWS JSON 1.0
// protocol of SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage,
// DeleteMessageBatch, ChangeMessageVisibility and GetQueueAttributes to the
// real SDK client, records what it got, and keeps real queues: per-message
// delays, visibility timeouts, receive counts and a redrive policy that
// moves a message to its dead-letter queue once it has been received
// maxReceiveCount times. Time is the fake's own clock (Advance), so tests
// wait out delays without sleeping. Poll and Settle do what Lambda's SQS
// event source does between a queue and a function.
package sqsfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hardener/hardener/app/intake"
)

// Message is one message the fake accepted.
type Message struct {
	Target                 string // SendMessage or SendMessageBatch
	QueueURL               string
	Body                   string
	DelaySeconds           int32
	Attributes             map[string]string
	MessageGroupID         string
	MessageDeduplicationID string
}

// Job decodes the message body.
func (m Message) Job(t testing.TB) intake.Job {
	t.Helper()
	var j intake.Job
	if err := json.Unmarshal([]byte(m.Body), &j); err != nil {
		t.Fatalf("message body is not a job: %v\n%s", err, m.Body)
	}
	return j
}

// QueueOptions are a queue's attributes.
type QueueOptions struct {
	// VisibilityTimeout hides a received message (default 30 s, SQS's).
	VisibilityTimeout time.Duration
	// DeadLetterQueue and MaxReceiveCount are the redrive policy: a message
	// received MaxReceiveCount times and not deleted goes to that queue.
	DeadLetterQueue string
	MaxReceiveCount int
}

// Fake is the endpoint.
type Fake struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	now        time.Time
	sent       []Message
	visibility map[string]int32 // receipt handle → timeout last set
	calls      int
	queues     map[string]*queue
	nextID     int
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{t: t, visibility: map[string]int32{}, queues: map[string]*queue{},
		now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the endpoint (for AWS_ENDPOINT_URL_SQS).
func (f *Fake) URL() string { return f.srv.URL }

// Client is a real SQS client that talks to the fake.
func (f *Fake) Client() *sqs.Client {
	return sqs.New(sqs.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
}

// CreateQueue sets a queue's attributes (queues that messages are sent to
// exist with the defaults).
func (f *Fake) CreateQueue(url string, opts QueueOptions) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queue(url)
	q.opts = opts
}

// Advance moves the fake's clock: delays and visibility timeouts run out.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Now is the fake's clock.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Visibility is the visibility timeout last set for a receipt handle.
func (f *Fake) Visibility(receiptHandle string) int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.visibility[receiptHandle]
}

// Messages are the messages sent so far, to any queue.
func (f *Fake) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.sent...)
}

// Calls counts the requests made.
func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	target, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if r.Method != http.MethodPost || !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		f.t.Errorf("fake SQS: unexpected request %s %s target %q type %q", r.Method, r.URL, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.t.Errorf("fake SQS: request not signed")
	}
	var in request
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		f.t.Errorf("fake SQS: %v", err)
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	out, errCode := f.operation(target, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if errCode != "" {
		w.Header().Set("X-Amzn-Query-Error", errCode+";Sender")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + errCode, "message": errCode})
		return
	}
	json.NewEncoder(w).Encode(out)
}
