package budget

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/lambda/internal/dynamofake"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestConcurrentWorkersNeverShareASlot: five workers book writes at once
// through the real SDK client; the table's conditional writes give each a
// slot of its own, within the minute's and the hour's budget.
func TestConcurrentWorkersNeverShareASlot(t *testing.T) {
	t.Parallel()
	fake := dynamofake.New(t, "installation")
	lim := ghclient.LimitsFor(60)
	var mu sync.Mutex
	var slots []time.Time
	var wg sync.WaitGroup
	for w := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &Store{Client: fake.Client(), Table: "budget"}
			for range 30 {
				at, ok, err := s.Reserve(context.Background(), 42, epoch, lim, time.Hour)
				if err != nil || !ok {
					t.Errorf("worker %d: %v %v", w, ok, err)
					return
				}
				mu.Lock()
				slots = append(slots, at)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
	for i := 1; i < len(slots); i++ {
		if slots[i].Sub(slots[i-1]) < time.Second {
			t.Fatalf("slots %d and %d %v apart", i-1, i, slots[i].Sub(slots[i-1]))
		}
	}
	// 150 writes at 60 a minute: the 61st waits for the first to leave
	// the minute.
	if got := slots[60].Sub(slots[0]); got < time.Minute {
		t.Errorf("61st write %v after the first, want at least a minute", got)
	}
	if fake.Conflicts() == 0 {
		t.Log("no conflicting booking happened; the race was not exercised this time")
	}
	t.Logf("%d slots, %d conflicts retried", len(slots), fake.Conflicts())
}

func TestPauseIsSeenByEveryWorkerAndBlocksBookings(t *testing.T) {
	t.Parallel()
	fake := dynamofake.New(t, "installation")
	a := &Store{Client: fake.Client(), Table: "budget"}
	b := &Store{Client: fake.Client(), Table: "budget"}
	ctx := context.Background()
	if _, ok, err := a.Reserve(ctx, 7, epoch, ghclient.LimitsFor(60), time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	until := epoch.Add(2 * time.Minute)
	if err := a.Pause(ctx, 7, until, "secondary rate limit"); err != nil {
		t.Fatal(err)
	}
	// An earlier pause does not shorten it.
	if err := b.Pause(ctx, 7, epoch.Add(time.Minute), "retry-after"); err != nil {
		t.Fatal(err)
	}
	got, reason, err := b.Paused(ctx, 7, epoch.Add(time.Second))
	if err != nil || !got.Equal(until) || reason != "secondary rate limit" {
		t.Fatalf("paused %v %q %v", got, reason, err)
	}
	at, ok, err := b.Reserve(ctx, 7, epoch.Add(time.Second), ghclient.LimitsFor(60), 10*time.Second)
	if err != nil || ok || !at.Equal(until) {
		t.Fatalf("booking during the pause: %v %v %v, want none, come back at the pause's end", at, ok, err)
	}
	if _, _, err := b.Paused(ctx, 8, epoch); err != nil {
		t.Fatal(err)
	}
}
