package sqsfake

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

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
	ReceiptHandle          string
}

type request struct {
	wireMessage
	Entries             []wireMessage
	VisibilityTimeout   int32
	MaxNumberOfMessages int32
	AttributeNames      []string
}

// queue is one queue's messages in arrival order.
type queue struct {
	url  string
	opts QueueOptions
	msgs []*stored
}

type stored struct {
	id, body, receipt string
	attrs             map[string]wireAttr
	group             string
	sentAt, visibleAt time.Time
	receives          int
}

func (f *Fake) queue(url string) *queue {
	q, ok := f.queues[url]
	if !ok {
		q = &queue{url: url}
		f.queues[url] = q
	}
	return q
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (f *Fake) send(target, queueURL string, m wireMessage) string {
	attrs := map[string]string{}
	for k, v := range m.MessageAttributes {
		attrs[k] = v.StringValue
	}
	f.sent = append(f.sent, Message{Target: target, QueueURL: queueURL, Body: m.MessageBody,
		DelaySeconds: m.DelaySeconds, Attributes: attrs, MessageGroupID: m.MessageGroupId,
		MessageDeduplicationID: m.MessageDeduplicationId})
	f.nextID++
	id := "m" + strconv.Itoa(f.nextID)
	q := f.queue(queueURL)
	q.msgs = append(q.msgs, &stored{id: id, body: m.MessageBody, attrs: m.MessageAttributes, group: m.MessageGroupId,
		sentAt: f.now, visibleAt: f.now.Add(time.Duration(m.DelaySeconds) * time.Second)})
	return id
}

func (f *Fake) operation(target string, in *request) (any, string) {
	switch target {
	case "SendMessage":
		id := f.send(target, in.QueueUrl, in.wireMessage)
		return map[string]string{"MessageId": id, "MD5OfMessageBody": md5hex(in.MessageBody)}, ""
	case "SendMessageBatch":
		var ok []map[string]string
		for _, e := range in.Entries {
			id := f.send(target, in.QueueUrl, e)
			ok = append(ok, map[string]string{"Id": e.Id, "MessageId": id, "MD5OfMessageBody": md5hex(e.MessageBody)})
		}
		return map[string]any{"Successful": ok, "Failed": []any{}}, ""
	case "ChangeMessageVisibility":
		f.visibility[in.ReceiptHandle] = in.VisibilityTimeout
		if m, _ := f.byReceipt(in.ReceiptHandle); m != nil {
			m.visibleAt = f.now.Add(time.Duration(in.VisibilityTimeout) * time.Second)
		}
		return map[string]any{}, ""
	case "ReceiveMessage":
		var out []map[string]any
		for _, m := range f.receive(in.QueueUrl, max(int(in.MaxNumberOfMessages), 1)) {
			out = append(out, map[string]any{"MessageId": m.MessageId, "ReceiptHandle": m.ReceiptHandle,
				"Body": m.Body, "MD5OfBody": m.Md5OfBody, "Attributes": m.Attributes})
		}
		return map[string]any{"Messages": out}, ""
	case "DeleteMessage":
		if !f.delete(in.ReceiptHandle) {
			return nil, "ReceiptHandleIsInvalid"
		}
		return map[string]any{}, ""
	case "DeleteMessageBatch":
		var ok []map[string]string
		var failed []map[string]any
		for _, e := range in.Entries {
			if f.delete(e.ReceiptHandle) {
				ok = append(ok, map[string]string{"Id": e.Id})
			} else {
				failed = append(failed, map[string]any{"Id": e.Id, "Code": "ReceiptHandleIsInvalid", "SenderFault": true})
			}
		}
		return map[string]any{"Successful": ok, "Failed": failed}, ""
	case "GetQueueAttributes":
		visible, hidden, delayed := f.counts(in.QueueUrl)
		return map[string]any{"Attributes": map[string]string{
			"ApproximateNumberOfMessages":           strconv.Itoa(visible),
			"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(hidden),
			"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		}}, ""
	}
	f.t.Errorf("fake SQS: operation %s not faked", target)
	return nil, "UnsupportedOperation"
}

func (f *Fake) byReceipt(receipt string) (*stored, *queue) {
	for _, q := range f.queues {
		for _, m := range q.msgs {
			if m.receipt == receipt && receipt != "" {
				return m, q
			}
		}
	}
	return nil, nil
}

func (f *Fake) delete(receipt string) bool {
	m, q := f.byReceipt(receipt)
	if m == nil {
		return false
	}
	q.msgs = slices.DeleteFunc(q.msgs, func(s *stored) bool { return s == m })
	return true
}

// receive takes up to n visible messages, moving those already received
// maxReceiveCount times to the dead-letter queue instead, as SQS does.
func (f *Fake) receive(url string, n int) []events.SQSMessage {
	q := f.queue(url)
	var out []events.SQSMessage
	for _, m := range slices.Clone(q.msgs) {
		if len(out) == n {
			break
		}
		if m.visibleAt.After(f.now) {
			continue
		}
		if q.opts.MaxReceiveCount > 0 && m.receives >= q.opts.MaxReceiveCount && q.opts.DeadLetterQueue != "" {
			q.msgs = slices.DeleteFunc(q.msgs, func(s *stored) bool { return s == m })
			dlq := f.queue(q.opts.DeadLetterQueue)
			m.visibleAt, m.receipt = f.now, ""
			dlq.msgs = append(dlq.msgs, m)
			continue
		}
		m.receives++
		f.nextID++
		m.receipt = "rh-" + m.id + "-" + strconv.Itoa(f.nextID)
		vt := q.opts.VisibilityTimeout
		if vt == 0 {
			vt = 30 * time.Second
		}
		m.visibleAt = f.now.Add(vt)
		rec := events.SQSMessage{
			MessageId: m.id, ReceiptHandle: m.receipt, Body: m.body, Md5OfBody: md5hex(m.body),
			EventSource: "aws:sqs", EventSourceARN: arnOf(url), AWSRegion: "eu-west-1",
			Attributes: map[string]string{
				"ApproximateReceiveCount": strconv.Itoa(m.receives),
				"SentTimestamp":           strconv.FormatInt(m.sentAt.UnixMilli(), 10),
			},
			MessageAttributes: map[string]events.SQSMessageAttribute{},
		}
		if m.group != "" {
			rec.Attributes["MessageGroupId"] = m.group
		}
		for k, v := range m.attrs {
			sv := v.StringValue
			rec.MessageAttributes[k] = events.SQSMessageAttribute{DataType: v.DataType, StringValue: &sv}
		}
		out = append(out, rec)
	}
	return out
}

func (f *Fake) counts(url string) (visible, hidden, delayed int) {
	for _, m := range f.queue(url).msgs {
		switch {
		case !m.visibleAt.After(f.now):
			visible++
		case m.receives == 0:
			delayed++
		default:
			hidden++
		}
	}
	return visible, hidden, delayed
}

// arnOf makes the queue ARN of an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME).
func arnOf(url string) string {
	return "arn:aws:sqs:eu-west-1:123456789012:" + url[lastSlash(url)+1:]
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// Poll receives a batch of up to n messages from the queue as Lambda's SQS
// event source does (at most 10 per event).
func (f *Fake) Poll(url string, n int) events.SQSEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return events.SQSEvent{Records: f.receive(url, n)}
}

// Settle does what the event source does with a function's answer to a
// batch: records not listed as failures are deleted; failed ones stay
// hidden until their visibility timeout runs out, then come back (and
// count toward the dead-letter limit). A function error fails the whole
// batch.
func (f *Fake) Settle(ev events.SQSEvent, resp events.SQSEventResponse, invokeErr error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	failed := map[string]bool{}
	for _, bf := range resp.BatchItemFailures {
		failed[bf.ItemIdentifier] = true
	}
	for _, rec := range ev.Records {
		if invokeErr == nil && !failed[rec.MessageId] {
			f.delete(rec.ReceiptHandle)
		}
	}
}

// Bodies are the bodies of the messages in a queue, visible or not, in
// arrival order.
func (f *Fake) Bodies(url string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.queue(url).msgs {
		out = append(out, m.body)
	}
	return out
}

// Pending reports when each message of a queue becomes visible, in
// arrival order (the fake's clock; see Now).
func (f *Fake) Pending(url string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, m := range f.queue(url).msgs {
		out = append(out, m.visibleAt)
	}
	return out
}
