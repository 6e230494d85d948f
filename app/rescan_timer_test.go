package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/simclock"
)

// timedQueue records when jobs were queued, by the simulated clock.
type timedQueue struct {
	mu    sync.Mutex
	clock *simclock.Clock
	at    []time.Time
	jobs  []intake.Job
}

func (q *timedQueue) Enqueue(_ context.Context, jobs ...intake.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.at = append(q.at, q.clock.Now())
	q.jobs = append(q.jobs, jobs...)
	return nil
}

// TestServeRescansOnATimer: `hardener serve` runs the reconciliation loop
// a minute after start (what a previous process left queued is queued
// again: every repository) and then every interval.
func TestServeRescansOnATimer(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := simclock.New(start)
	f := githubfake.New(t, githubfake.WithClock(clk.Now))
	f.AddRepo("octo-org", "alpha", map[string]string{"README.md": "a\n"})
	f.AddRepo("octo-org", "beta", map[string]string{"README.md": "b\n"})
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetClock(clk)
	q := &timedQueue{clock: clk}
	ctx, cancel := context.WithCancel(context.Background())
	clk.Busy()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer clk.Idle()
		RescanEvery(ctx, &Rescanner{Clients: clients, Queue: q}, clk, time.Minute, 24*time.Hour)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		q.mu.Lock()
		n := len(q.at)
		q.mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rescans", n)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	q.mu.Lock()
	defer q.mu.Unlock()
	want := []time.Duration{time.Minute, time.Minute + 24*time.Hour, time.Minute + 48*time.Hour}
	for i, w := range want {
		if got := q.at[i].Sub(start); got != w {
			t.Errorf("rescan %d at %v, want %v", i, got, w)
		}
	}
	if len(q.jobs) < 6 || q.jobs[0].Kind != intake.JobRescan {
		t.Errorf("jobs %+v", q.jobs)
	}
}
