package handler

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

	"github.com/hardener/hardener/app"
)

// sentMessage is one message the fake SQS accepted.
type sentMessage struct {
	Target                 string // SendMessage or SendMessageBatch
	QueueURL               string
	Body                   string
	DelaySeconds           int32
	Attributes             map[string]string
	MessageGroupID         string
	MessageDeduplicationID string
}

func (m sentMessage) job(t *testing.T) app.Job {
	t.Helper()
	var j app.Job
	if err := json.Unmarshal([]byte(m.Body), &j); err != nil {
		t.Fatalf("message body is not a job: %v\n%s", err, m.Body)
	}
	return j
}

// fakeSQS speaks the AWS JSON 1.0 protocol of SQS for SendMessage,
// SendMessageBatch and ChangeMessageVisibility, and records what it got.
type fakeSQS struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	sent       []sentMessage
	visibility map[string]int32 // receipt handle → timeout
	calls      int
}

func newFakeSQS(t *testing.T) *fakeSQS {
	f := &fakeSQS{t: t, visibility: map[string]int32{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// queue returns a Queue whose real SQS client talks to the fake.
func (f *fakeSQS) queue(url string) *Queue {
	client := sqs.New(sqs.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
	return &Queue{Client: client, URL: url}
}

func (f *fakeSQS) messages() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.sent...)
}

func (f *fakeSQS) callCount() int {
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

func (f *fakeSQS) record(target, queueURL string, m wireMessage) {
	attrs := map[string]string{}
	for k, v := range m.MessageAttributes {
		attrs[k] = v.StringValue
	}
	f.sent = append(f.sent, sentMessage{Target: target, QueueURL: queueURL, Body: m.MessageBody,
		DelaySeconds: m.DelaySeconds, Attributes: attrs, MessageGroupID: m.MessageGroupId,
		MessageDeduplicationID: m.MessageDeduplicationId})
}

func (f *fakeSQS) serve(w http.ResponseWriter, r *http.Request) {
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
