// Package budget keeps the installations' write budget in a DynamoDB table
// that every Lambda worker sees (see docs/rate-limits.md): one item per
// installation with the times of its booked writes and GitHub's pause,
// changed only by conditional writes on a version number, so that two
// workers never book the same slot.
package budget

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hardener/hardener/app/ghclient"
)

// DynamoDB is the part of the DynamoDB client the store uses.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Attribute names of an installation's item.
const (
	attrInstallation = "installation"
	attrVersion      = "version"
	attrSlots        = "slots"        // booked writes, unix milliseconds, ascending
	attrPauseUntil   = "pause_until"  // unix milliseconds
	attrPauseReason  = "pause_reason" // why GitHub asked to wait
)

// Condition and update expressions (dynamofake serves exactly these).
const (
	condNew        = "attribute_not_exists(installation)"
	condVersion    = "version = :v"
	updatePause    = "SET pause_until = :u, pause_reason = :r ADD version :one"
	condLaterPause = "attribute_not_exists(pause_until) OR pause_until < :u"
)

// maxConflicts bounds the retries of one booking that lost a race.
const maxConflicts = 20

// Store is a ghclient.BudgetStore in a DynamoDB table whose partition key
// is the number `installation`.
type Store struct {
	Client DynamoDB
	Table  string
}

var _ ghclient.BudgetStore = (*Store)(nil)

type item struct {
	version    int64
	exists     bool
	slots      []time.Time
	pauseUntil time.Time
	reason     string
}

func key(installation int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrInstallation: num(installation)}
}

func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func (s *Store) get(ctx context.Context, installation int64) (item, error) {
	out, err := s.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: key(installation), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return item{}, fmt.Errorf("budget table: %w", err)
	}
	var it item
	if len(out.Item) == 0 {
		return it, nil
	}
	it.exists = true
	if v, ok := out.Item[attrVersion].(*types.AttributeValueMemberN); ok {
		it.version, _ = strconv.ParseInt(v.Value, 10, 64)
	}
	if l, ok := out.Item[attrSlots].(*types.AttributeValueMemberL); ok {
		for _, e := range l.Value {
			if n, ok := e.(*types.AttributeValueMemberN); ok {
				ms, _ := strconv.ParseInt(n.Value, 10, 64)
				it.slots = append(it.slots, time.UnixMilli(ms))
			}
		}
	}
	if v, ok := out.Item[attrPauseUntil].(*types.AttributeValueMemberN); ok {
		ms, _ := strconv.ParseInt(v.Value, 10, 64)
		it.pauseUntil = time.UnixMilli(ms)
	}
	if v, ok := out.Item[attrPauseReason].(*types.AttributeValueMemberS); ok {
		it.reason = v.Value
	}
	return it, nil
}

// Reserve implements ghclient.BudgetStore: read the item, compute the
// earliest slot, write the item back if nobody changed it meanwhile.
func (s *Store) Reserve(ctx context.Context, installation int64, now time.Time, lim ghclient.Limits, horizon time.Duration) (time.Time, bool, error) {
	for range maxConflicts {
		it, err := s.get(ctx, installation)
		if err != nil {
			return time.Time{}, false, err
		}
		slots := ghclient.Prune(it.slots, now)
		at := ghclient.Earliest(slots, now, it.pauseUntil, lim)
		if at.Sub(now) > horizon {
			return at, false, nil
		}
		slots = append(slots, at)
		list := make([]types.AttributeValue, len(slots))
		for i, t := range slots {
			list[i] = num(t.UnixMilli())
		}
		in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: map[string]types.AttributeValue{
			attrInstallation: num(installation), attrVersion: num(it.version + 1),
			attrSlots: &types.AttributeValueMemberL{Value: list},
		}}
		if !it.pauseUntil.IsZero() {
			in.Item[attrPauseUntil] = num(it.pauseUntil.UnixMilli())
			in.Item[attrPauseReason] = &types.AttributeValueMemberS{Value: it.reason}
		}
		if it.exists {
			in.ConditionExpression = aws.String(condVersion)
			in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(it.version)}
		} else {
			in.ConditionExpression = aws.String(condNew)
		}
		_, err = s.Client.PutItem(ctx, in)
		if conflict(err) {
			continue // another worker booked or paused first: read again
		}
		if err != nil {
			return time.Time{}, false, fmt.Errorf("budget table: %w", err)
		}
		return at, true, nil
	}
	return time.Time{}, false, fmt.Errorf("budget table: %d conflicting bookings in a row", maxConflicts)
}

// Pause implements ghclient.BudgetStore. A later pause already recorded
// wins; the version moves, so that a booking read before the pause is not
// written over it.
func (s *Store) Pause(ctx context.Context, installation int64, until time.Time, reason string) error {
	_, err := s.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: key(installation),
		UpdateExpression:    aws.String(updatePause),
		ConditionExpression: aws.String(condLaterPause),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u": num(until.UnixMilli()), ":r": &types.AttributeValueMemberS{Value: reason}, ":one": num(1),
		},
	})
	if err != nil && !conflict(err) {
		return fmt.Errorf("budget table: %w", err)
	}
	return nil
}

// Paused implements ghclient.BudgetStore.
func (s *Store) Paused(ctx context.Context, installation int64, now time.Time) (time.Time, string, error) {
	it, err := s.get(ctx, installation)
	if err != nil || !it.pauseUntil.After(now) {
		return time.Time{}, "", err
	}
	return it.pauseUntil, it.reason, nil
}

func conflict(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
