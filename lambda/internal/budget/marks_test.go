package budget

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/lambda/internal/dynamofake"
)

func someMarks(n int, seed uint64) map[int64]uint64 {
	m := map[int64]uint64{}
	for i := range n {
		// Sparse, unordered IDs as GitHub's are, and marks of any value.
		m[int64(i)*7919+int64(i%3)*1_000_000_007+1] = uint64(i)*0x9e3779b97f4a7c15 + seed
	}
	return m
}

// TestMarksRoundTripThroughTheTable: an installation's marks come back
// as saved, through the real SDK client, whether none, a few, or more than
// one item holds; a smaller save after a larger one leaves no old shard
// behind that counts; the budget item of the same installation is not
// touched.
func TestMarksRoundTripThroughTheTable(t *testing.T) {
	t.Parallel()
	fake := dynamofake.New(t, "installation")
	ctx := context.Background()
	store := &Store{Client: fake.Client(), Table: "budget"}
	if _, ok, err := store.Reserve(ctx, 42, epoch, ghclient.LimitsFor(60), time.Hour); err != nil || !ok {
		t.Fatal(ok, err)
	}
	marks := &Marks{Client: fake.Client(), Table: "budget"}

	got, err := marks.LoadMarks(ctx, 42)
	if err != nil || len(got) != 0 {
		t.Fatalf("before any save: %d marks, %v", len(got), err)
	}
	for _, n := range []int{2*marksPerShard + 5, 5000, 0} { // three shards, then fewer
		want := someMarks(n, uint64(n))
		if err := marks.SaveMarks(ctx, 42, want); err != nil {
			t.Fatalf("%d marks: %v", n, err)
		}
		got, err := marks.LoadMarks(ctx, 42)
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("%d marks back (%v), want %d", len(got), err, len(want))
		}
	}
	if other, err := marks.LoadMarks(ctx, 43); err != nil || len(other) != 0 {
		t.Errorf("another installation sees %d marks, %v", len(other), err)
	}
	// The booking made before is still there: the marks have keys of
	// their own.
	if _, ok, err := store.Reserve(ctx, 42, epoch, ghclient.LimitsFor(1), time.Minute); err != nil || ok {
		t.Errorf("budget item lost: a second write within the minute at 1 a minute was booked (%v, %v)", ok, err)
	}
}

// TestCorruptMarksAreAnError: a shard that does not decode is reported, so
// that the rescan asks GitHub about every repository rather than trust
// half a list.
func TestCorruptMarksAreAnError(t *testing.T) {
	t.Parallel()
	fake := dynamofake.New(t, "installation")
	client := fake.Client()
	item := marksKey(7, 0)
	item[attrMarks] = &types.AttributeValueMemberB{Value: []byte{0x05, 0x01, 0x02}}
	if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("budget"), Item: item}); err != nil {
		t.Fatal(err)
	}
	if got, err := (&Marks{Client: client, Table: "budget"}).LoadMarks(context.Background(), 7); err == nil {
		t.Errorf("corrupt shard read as %v", got)
	}
}
