// Package dynamofake is a DynamoDB endpoint for tests: it speaks the AWS
// JSON 1.0 protocol of GetItem, PutItem and UpdateItem to the real SDK
// client, for the condition and update expressions the budget store sends
// (anything else fails the test), with one table of items keyed by one
// attribute.
package dynamofake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// value is an attribute value in the wire format: {"N": "1"}, {"S": "x"},
// {"L": [...]}.
type value map[string]json.RawMessage

type itemMap map[string]value

// Fake is the endpoint.
type Fake struct {
	t   testing.TB
	srv *httptest.Server
	key string

	mu        sync.Mutex
	items     map[string]itemMap // key value (as JSON) -> item
	calls     map[string]int
	conflicts int
}

// New starts a fake whose table's partition key is key; closed when the
// test ends.
func New(t testing.TB, key string) *Fake {
	f := &Fake{t: t, key: key, items: map[string]itemMap{}, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// Client is a real DynamoDB client that talks to the fake.
func (f *Fake) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
}

// Calls is how many requests of an operation ("GetItem") the fake served.
func (f *Fake) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Conflicts is how many conditional writes failed their condition.
func (f *Fake) Conflicts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conflicts
}

func (f *Fake) fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": msg})
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	body, _ := io.ReadAll(r.Body)
	var in struct {
		TableName                 string
		Key                       itemMap
		Item                      itemMap
		ConditionExpression       string
		UpdateExpression          string
		ExpressionAttributeValues itemMap
	}
	if err := json.Unmarshal(body, &in); err != nil {
		f.fail(w, 400, "SerializationException", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	switch op {
	case "GetItem":
		out := map[string]any{}
		if it, ok := f.items[f.keyOf(in.Key)]; ok {
			out["Item"] = it
		}
		f.reply(w, out)
	case "PutItem":
		k := f.keyOf(in.Item)
		ok, known := f.cond(in.ConditionExpression, f.items[k], in.ExpressionAttributeValues)
		if !known {
			f.t.Errorf("dynamofake: condition %q not served", in.ConditionExpression)
			f.fail(w, 400, "ValidationException", "condition not served by the fake")
			return
		}
		if !ok {
			f.conflicts++
			f.fail(w, 400, "ConditionalCheckFailedException", "The conditional request failed")
			return
		}
		f.items[k] = in.Item
		f.reply(w, map[string]any{})
	case "UpdateItem":
		k := f.keyOf(in.Key)
		cur := f.items[k]
		ok, known := f.cond(in.ConditionExpression, cur, in.ExpressionAttributeValues)
		if !known || in.UpdateExpression != "SET pause_until = :u, pause_reason = :r ADD version :one" {
			f.t.Errorf("dynamofake: update %q / %q not served", in.UpdateExpression, in.ConditionExpression)
			f.fail(w, 400, "ValidationException", "expression not served by the fake")
			return
		}
		if !ok {
			f.conflicts++
			f.fail(w, 400, "ConditionalCheckFailedException", "The conditional request failed")
			return
		}
		next := itemMap{}
		for a, v := range cur {
			next[a] = v
		}
		for a, v := range in.Key {
			next[a] = v
		}
		v := in.ExpressionAttributeValues
		next["pause_until"], next["pause_reason"] = v[":u"], v[":r"]
		next["version"] = numValue(number(cur["version"]) + number(v[":one"]))
		f.items[k] = next
		f.reply(w, map[string]any{})
	default:
		f.t.Errorf("dynamofake: operation %q not served", op)
		f.fail(w, 400, "UnknownOperationException", op)
	}
}

func (f *Fake) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(v)
}

func (f *Fake) keyOf(it itemMap) string {
	b, _ := json.Marshal(it[f.key])
	return string(b)
}

func number(v value) int64 {
	var s string
	if raw, ok := v["N"]; ok && json.Unmarshal(raw, &s) == nil {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	return 0
}

func numValue(n int64) value {
	b, _ := json.Marshal(strconv.FormatInt(n, 10))
	return value{"N": b}
}

// cond evaluates the conditions the budget store sends; known is false for
// any other.
func (f *Fake) cond(expr string, cur itemMap, vals itemMap) (ok, known bool) {
	switch expr {
	case "":
		return true, true
	case "attribute_not_exists(" + f.key + ")":
		return cur == nil, true
	case "version = :v":
		return cur != nil && number(cur["version"]) == number(vals[":v"]), true
	case "attribute_not_exists(pause_until) OR pause_until < :u":
		p, has := cur["pause_until"]
		return !has || number(p) < number(vals[":u"]), true
	}
	return false, false
}
