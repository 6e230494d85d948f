package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/simclock"
)

// budgetRunner is a worker whose pull-request jobs each spend the write
// budget for spend: before the budget has room a job parks until then,
// as Worker.Run does.
type budgetRunner struct {
	clk   *simclock.Clock
	spend time.Duration
	mu    sync.Mutex
	free  time.Time
	runs  int
	done  []string // "repo@minutes:seconds since start"
	start time.Time
}

func (b *budgetRunner) Run(_ context.Context, j intake.Job) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.runs++
	now := b.clk.Now()
	if now.Before(b.free) {
		return &intake.RetryError{After: b.free.Sub(now), Err: &ghclient.RateLimitedError{Until: b.free, Reason: "write budget"}}
	}
	b.free = now.Add(b.spend)
	d := now.Sub(b.start)
	b.done = append(b.done, fmt.Sprintf("%s@%d:%02d", j.Repo, int(d.Minutes()), int(d.Seconds())%60))
	return nil
}

// TestQueueBudgetLineServesByPriorityAtTheBudgetsPace: pull-request jobs
// that found the budget spent come back most urgent first, each as soon
// as the budget has room again — the budget sets the pace, not a fixed
// turn — and a job released while the budget is still spent keeps its
// place instead of going to the back.
func TestQueueBudgetLineServesByPriorityAtTheBudgetsPace(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := simclock.New(start)
	b := &budgetRunner{clk: clk, spend: 3 * time.Minute, free: start.Add(10 * time.Minute), start: start}
	clk.Busy()
	q := NewQueue(2, 100, b, nil, WithQueueClock(clk))
	for i, prio := range []int{2, 9, 5, 7, 1} {
		q.Enqueue(context.Background(), intake.Job{Kind: intake.JobRefreshPR, InstallationID: 1, Owner: "o",
			Repo: fmt.Sprintf("p%d", prio), RepoID: int64(i + 1), Priority: prio})
	}
	done := clk.Done()
	clk.Idle()
	<-done
	want := []string{"p9@10:00", "p7@13:00", "p5@16:00", "p2@19:00", "p1@22:00"}
	if fmt.Sprint(b.done) != fmt.Sprint(want) {
		t.Errorf("ran %v, want %v", b.done, want)
	}
	// Each job ran once before the budget freed, once to finish, and a
	// few times released while another had taken the room (at most one
	// release per gap of the three-minute spend).
	if max := 5 + 5 + 4*int(3*time.Minute/gateGap[1]+1); b.runs > max {
		t.Errorf("%d runs, want at most %d", b.runs, max)
	}
	shutdown(t, q)
}

// TestQueueBudgetLineIsCountedAndHandedBack: jobs waiting for the budget
// count in Len and are handed back at shutdown.
func TestQueueBudgetLineIsCountedAndHandedBack(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := simclock.New(start)
	b := &budgetRunner{clk: clk, free: start.Add(time.Hour), start: start}
	clk.Busy() // time stands still: the jobs stay in the line
	defer clk.Idle()
	q := NewQueue(1, 10, b, nil, WithQueueClock(clk))
	for i := range 3 {
		q.Enqueue(context.Background(), intake.Job{Kind: intake.JobRefreshPR, InstallationID: 1, Owner: "o", Repo: fmt.Sprint(i), RepoID: int64(i + 1)})
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		runs := b.runs
		b.mu.Unlock()
		if runs == 3 && q.Len() == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d runs, %d waiting", runs, q.Len())
		}
		time.Sleep(time.Millisecond)
	}
	if left := shutdown(t, q); len(left) != 3 {
		t.Errorf("handed back %v, want the three jobs waiting for the budget", left)
	}
}

// TestQueueJobsComeBackOneByOneAfterAPause: jobs cut short by a pause
// GitHub asked for come back after it most urgent first, a gap apart,
// not all at its end where the next pause would catch them all.
func TestQueueJobsComeBackOneByOneAfterAPause(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := simclock.New(start)
	pauseEnd := start.Add(time.Minute)
	var mu sync.Mutex
	var done []string
	clk.Busy()
	q := NewQueue(5, 100, runnerFunc(func(_ context.Context, j intake.Job) error {
		mu.Lock()
		defer mu.Unlock()
		if now := clk.Now(); now.Before(pauseEnd) {
			return &intake.RetryError{After: pauseEnd.Sub(now), Err: &ghclient.RateLimitedError{Until: pauseEnd, Status: 403, Reason: "secondary rate limit"}}
		}
		done = append(done, fmt.Sprintf("%s@%v", j.Repo, clk.Now().Sub(start)))
		return nil
	}), nil, WithQueueClock(clk))
	for i, prio := range []int{1, 3, 2} {
		q.Enqueue(context.Background(), intake.Job{Kind: intake.JobRefreshPR, InstallationID: 1, Owner: "o",
			Repo: fmt.Sprintf("p%d", prio), RepoID: int64(i + 1), Priority: prio})
	}
	d := clk.Done()
	clk.Idle()
	<-d
	want := []string{"p3@1m0s", "p2@1m37.5s", "p1@2m15s"}
	if fmt.Sprint(done) != fmt.Sprint(want) {
		t.Errorf("ran %v, want %v", done, want)
	}
	shutdown(t, q)
}
