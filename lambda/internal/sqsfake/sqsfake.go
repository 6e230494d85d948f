// Package sqsfake is an SQS endpoint for tests: it speaks the AWS JSON 1.0
// protocol of SendMessage, SendMessageBatch and ChangeMessageVisibility to
// the real SDK client and records what it got.
package sqsfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

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

// Fake is the endpoint.
type Fake struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	sent       []Message
	visibility map[string]int32 // receipt handle → timeout
	calls      int
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{t: t, visibility: map[string]int32{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// Client is a real SQS client that talks to the fake.
func (f *Fake) Client() *sqs.Client {
	return sqs.New(sqs.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
}

// Visibility is the visibility timeout last set for a receipt handle.
func (f *Fake) Visibility(receiptHandle string) int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.visibility[receiptHandle]
}

// Messages are the messages sent so far.
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

type wireAttr struct {
	DataType    string
	StringValue string
}

type wireMessage struct {
	Id                     string
	QueueUrl               string
	MessageBody            string
	DelaySeconds           int32
	MessageAttributes      map[string]wireAttr
	MessageGroupId         string
	MessageDeduplicationId string
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (f *Fake) record(target, queueURL string, m wireMessage) {
	attrs := map[string]string{}
	for k, v := range m.MessageAttributes {
		attrs[k] = v.StringValue
	}
	f.sent = append(f.sent, Message{Target: target, QueueURL: queueURL, Body: m.MessageBody,
		DelaySeconds: m.DelaySeconds, Attributes: attrs, MessageGroupID: m.MessageGroupId,
		MessageDeduplicationID: m.MessageDeduplicationId})
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
	var in struct {
		wireMessage
		Entries           []wireMessage
		ReceiptHandle     string
		VisibilityTimeout int32
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		f.t.Errorf("fake SQS: %v", err)
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	var out any
	switch target {
	case "SendMessage":
		f.record(target, in.QueueUrl, in.wireMessage)
		out = map[string]string{"MessageId": "m" + strconv.Itoa(len(f.sent)), "MD5OfMessageBody": md5hex(in.MessageBody)}
	case "SendMessageBatch":
		var ok []map[string]string
		for _, e := range in.Entries {
			f.record(target, in.QueueUrl, e)
			ok = append(ok, map[string]string{"Id": e.Id, "MessageId": "m" + strconv.Itoa(len(f.sent)), "MD5OfMessageBody": md5hex(e.MessageBody)})
		}
		out = map[string]any{"Successful": ok, "Failed": []any{}}
	case "ChangeMessageVisibility":
		f.visibility[in.ReceiptHandle] = in.VisibilityTimeout
		out = map[string]any{}
	default:
		f.t.Errorf("fake SQS: operation %s not faked", target)
		http.Error(w, "unsupported", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(out)
}
