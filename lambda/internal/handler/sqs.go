// Package handler turns AWS Lambda events into calls of the App's handlers in
// package app: the webhook intake, the job runner and the scheduled rescan.
// The Lambda main packages only build these from the environment and start
// them.
package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hardener/hardener/app/intake"
)

// SQS is the part of the SQS client the handlers use.
type SQS interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

const (
	// MaxDelay is the longest per-message delay SQS accepts (15 minutes).
	MaxDelay = 900 * time.Second
	// maxVisibility is the longest visibility timeout SQS accepts (12 hours).
	maxVisibility = 12 * time.Hour
	batchSize     = 10 // SendMessageBatch's limit

	AttrAttempt   = "attempt"    // runs so far
	AttrNotBefore = "not_before" // unix seconds: wait longer than MaxDelay
)

// Queue sends jobs to an SQS queue as JSON message bodies. On a FIFO queue
// (URL ending in .fifo) each installation is one message group, so that
// installations are served fairly and one installation's jobs in order.
type Queue struct {
	Client SQS
	URL    string
}

// FIFO reports whether the queue is a FIFO queue.
func (q *Queue) FIFO() bool { return strings.HasSuffix(q.URL, ".fifo") }

// Enqueue sends jobs, in batches of ten when there is more than one. SQS
// cannot accept all or none; jobs are idempotent, so a sender that retries
// after an error does no harm.
func (q *Queue) Enqueue(ctx context.Context, jobs ...intake.Job) error {
	if len(jobs) == 1 {
		in, err := q.message(jobs[0], 0, 0, 0, time.Time{})
		if err != nil {
			return err
		}
		_, err = q.Client.SendMessage(ctx, in)
		return wrapSQS("send message", err)
	}
	for start := 0; start < len(jobs); start += batchSize {
		chunk := jobs[start:min(start+batchSize, len(jobs))]
		entries := make([]types.SendMessageBatchRequestEntry, 0, len(chunk))
		for i, j := range chunk {
			in, err := q.message(j, start+i, 0, 0, time.Time{})
			if err != nil {
				return err
			}
			entries = append(entries, types.SendMessageBatchRequestEntry{
				Id: aws.String("j" + strconv.Itoa(i)), MessageBody: in.MessageBody,
				DelaySeconds: in.DelaySeconds, MessageAttributes: in.MessageAttributes,
				MessageGroupId: in.MessageGroupId, MessageDeduplicationId: in.MessageDeduplicationId,
			})
		}
		out, err := q.Client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
		if err != nil {
			return wrapSQS("send message batch", err)
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return fmt.Errorf("sqs: %d of %d messages not sent: %s: %s", len(out.Failed), len(entries),
				aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
	return nil
}

// Resend queues job again after delay with its attempt count. Delays beyond
// MaxDelay are carried in the message and waited out by further resends.
// Not for FIFO queues, which have no per-message delay.
func (q *Queue) Resend(ctx context.Context, job intake.Job, attempt int, delay time.Duration) error {
	if q.FIFO() {
		return errFIFODelay
	}
	var notBefore time.Time
	if delay > MaxDelay {
		notBefore = time.Now().Add(delay)
	}
	in, err := q.message(job, 0, attempt, min(delay, MaxDelay), notBefore)
	if err != nil {
		return err
	}
	_, err = q.Client.SendMessage(ctx, in)
	return wrapSQS("re-send message", err)
}

// Hide keeps a received message invisible for d (FIFO queues' way to delay).
func (q *Queue) Hide(ctx context.Context, receiptHandle string, d time.Duration) error {
	secs := int32(min(max(d, time.Second), maxVisibility).Round(time.Second) / time.Second)
	_, err := q.Client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.URL), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: secs,
	})
	return wrapSQS("change message visibility", err)
}

func (q *Queue) message(job intake.Job, index, attempt int, delay time.Duration, notBefore time.Time) (*sqs.SendMessageInput, error) {
	body, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("encoding job: %w", err)
	}
	in := &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String(string(body))}
	if attempt > 0 || !notBefore.IsZero() {
		in.MessageAttributes = map[string]types.MessageAttributeValue{
			AttrAttempt: {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(attempt))},
		}
		if !notBefore.IsZero() {
			in.MessageAttributes[AttrNotBefore] = types.MessageAttributeValue{
				DataType: aws.String("Number"), StringValue: aws.String(strconv.FormatInt(notBefore.Unix(), 10)),
			}
		}
	}
	if q.FIFO() {
		in.MessageGroupId = aws.String(strconv.FormatInt(job.InstallationID, 10))
		in.MessageDeduplicationId = aws.String(dedupeID(job, index, body))
		return in, nil
	}
	// Rounded up: a retry must not come back before GitHub's pause ends.
	in.DelaySeconds = int32((delay + time.Second - 1) / time.Second)
	return in, nil
}

// dedupeID makes a redelivered webhook (same delivery GUID) send no second
// message within SQS's five-minute deduplication window.
func dedupeID(job intake.Job, index int, body []byte) string {
	if job.Delivery != "" && len(job.Delivery) <= 100 {
		return job.Delivery + "-" + strconv.Itoa(index)
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func wrapSQS(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqs %s: %w", op, err)
}

// errFIFODelay is returned by Resend on FIFO queues.
var errFIFODelay = errors.New("FIFO queues have no per-message delay")
