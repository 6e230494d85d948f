package budget

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Marks keeps the rescan's marks (app.RescanMarks) in the budget table, so
// that the daily function, which starts cold, knows which repositories it
// confirmed up to date the night before.
//
// They live apart from the budget items, which every booking rewrites
// whole: an installation's marks are split into shards of at most
// marksPerShard repositories, each an item under the key
// -(installation × maxShards + shard) — installation IDs are positive, so
// no budget item has such a key. Shard 0 also holds how many shards there
// are. A shard is one binary attribute: per repository, ascending, the
// difference to the previous repository ID (uvarint) and its 8-byte mark;
// 16,000 repositories take under 300 KB of DynamoDB's 400 KB an item.
//
// Every mark stays true while its repository's fingerprint holds, so a
// save cut short (some shards new, others old) leaves marks that cost a
// few extra requests, never a missed repository.
type Marks struct {
	Client DynamoDB
	Table  string
}

const (
	attrMarks     = "marks"  // binary: the shard's repositories and marks
	attrShards    = "shards" // on shard 0: how many shards there are
	marksPerShard = 16000
	maxShards     = 1000 // 16 million repositories an installation
)

func marksKey(installation int64, shard int) map[string]types.AttributeValue {
	return key(-(installation*maxShards + int64(shard)))
}

// LoadMarks implements app.RescanMarks.
func (m *Marks) LoadMarks(ctx context.Context, installation int64) (map[int64]uint64, error) {
	marks := map[int64]uint64{}
	shards := 1
	for shard := 0; shard < shards; shard++ {
		out, err := m.Client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(m.Table), Key: marksKey(installation, shard),
		})
		if err != nil {
			return nil, fmt.Errorf("rescan marks: %w", err)
		}
		if shard == 0 {
			if v, ok := out.Item[attrShards].(*types.AttributeValueMemberN); ok {
				n, _ := strconv.Atoi(v.Value)
				shards = min(max(n, 1), maxShards)
			}
		}
		if b, ok := out.Item[attrMarks].(*types.AttributeValueMemberB); ok {
			if err := decodeMarks(b.Value, marks); err != nil {
				return nil, fmt.Errorf("rescan marks of installation %d, shard %d: %w", installation, shard, err)
			}
		}
	}
	return marks, nil
}

// SaveMarks implements app.RescanMarks: the other shards first, shard 0
// (which says how many there are) last.
func (m *Marks) SaveMarks(ctx context.Context, installation int64, marks map[int64]uint64) error {
	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range marks {
			if !yield(id) {
				return
			}
		}
	})
	shards := max(1, (len(ids)+marksPerShard-1)/marksPerShard)
	if shards > maxShards {
		return fmt.Errorf("rescan marks: %d repositories are more than %d shards hold", len(ids), maxShards)
	}
	for shard := shards - 1; shard >= 0; shard-- {
		part := ids[min(shard*marksPerShard, len(ids)):min((shard+1)*marksPerShard, len(ids))]
		item := marksKey(installation, shard)
		item[attrMarks] = &types.AttributeValueMemberB{Value: encodeMarks(part, marks)}
		if shard == 0 {
			item[attrShards] = num(int64(shards))
		}
		if _, err := m.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(m.Table), Item: item}); err != nil {
			return fmt.Errorf("rescan marks: %w", err)
		}
	}
	return nil
}

func encodeMarks(ids []int64, marks map[int64]uint64) []byte {
	out := make([]byte, 0, len(ids)*12)
	prev := int64(0)
	for _, id := range ids {
		out = binary.AppendUvarint(out, uint64(id-prev))
		out = binary.BigEndian.AppendUint64(out, marks[id])
		prev = id
	}
	return out
}

var errCorruptMarks = errors.New("corrupt shard")

func decodeMarks(b []byte, into map[int64]uint64) error {
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 || len(b) < n+8 {
			return errCorruptMarks
		}
		prev += int64(d)
		into[prev] = binary.BigEndian.Uint64(b[n:])
		b = b[n+8:]
	}
	return nil
}
