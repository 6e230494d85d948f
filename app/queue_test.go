package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/simclock"
)

func repoJobN(n int64) intake.Job {
	return intake.Job{Kind: intake.JobCheck, InstallationID: 1, Owner: "o", Repo: "r", RepoID: n}
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func shutdown(t *testing.T, q *Queue) []intake.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	left, err := q.Shutdown(ctx)
	if err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	return left
}

func TestQueueShutdownHandsBackWork(t *testing.T) {
	t.Parallel()
	started, release := make(chan intake.Job, 1), make(chan struct{})
	var done atomic.Int32
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		started <- j
		<-release
		done.Add(1)
		return nil
	}), nil)
	if err := q.Enqueue(context.Background(), repoJobN(1), repoJobN(2), repoJobN(3)); err != nil {
		t.Fatal(err)
	}
	<-started
	result := make(chan []intake.Job)
	go func() { result <- shutdown(t, q) }()
	// Intake stops at once, while the running job is still running.
	want := 2 // jobs 2 and 3, plus any job 4 accepted before Shutdown began
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := q.Enqueue(context.Background(), repoJobN(4))
		if errors.Is(err, ErrQueueClosed) {
			break
		}
		if err == nil {
			want++
		}
		if time.Now().After(deadline) {
			t.Fatal("intake not stopped")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	left := <-result
	if done.Load() != 1 {
		t.Fatalf("running job finished %d times, want 1", done.Load())
	}
	if len(left) != want || left[0].RepoID != 2 || left[1].RepoID != 3 {
		t.Fatalf("handed back %+v, want jobs 2 and 3 first (%d in all)", left, want)
	}
}

func TestQueueFullIsAllOrNothing(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	q := NewQueue(1, 2, runnerFunc(func(ctx context.Context, j intake.Job) error { <-block; return nil }), nil)
	defer func() { close(block); shutdown(t, q) }()
	err := q.Enqueue(context.Background(), repoJobN(1), repoJobN(2), repoJobN(3))
	var full *QueueFullError
	if !errors.As(err, &full) || full.RetryAfter() <= 0 {
		t.Fatalf("err = %v, want *QueueFullError", err)
	}
	if q.Len() != 0 {
		t.Fatalf("partial enqueue: %d waiting", q.Len())
	}
}

func TestQueueRetryReenqueues(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	done := make(chan struct{})
	q := NewQueue(2, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		if runs.Add(1) < 3 {
			return &intake.RetryError{After: 5 * time.Millisecond, Err: errors.New("rate limited")}
		}
		close(done)
		return nil
	}), nil)
	if err := q.Enqueue(context.Background(), repoJobN(1)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("job ran %d times, want 3", runs.Load())
	}
	shutdown(t, q)
}

func TestQueueRetryGivesUpLoudly(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	var runs atomic.Int32
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		runs.Add(1)
		return &intake.RetryError{After: time.Millisecond}
	}), slog.New(slog.NewTextHandler(&logs, nil)))
	q.Enqueue(context.Background(), repoJobN(1))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "given up") {
		if time.Now().After(deadline) {
			t.Fatalf("no give-up log after %d runs:\n%s", runs.Load(), logs.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if runs.Load() != MaxAttempts {
		t.Fatalf("ran %d times, want %d", runs.Load(), MaxAttempts)
	}
	shutdown(t, q)
}

func TestQueueShutdownHandsBackDelayedRetry(t *testing.T) {
	t.Parallel()
	ran := make(chan struct{}, 1)
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		ran <- struct{}{}
		return &intake.RetryError{After: time.Hour}
	}), nil)
	q.Enqueue(context.Background(), repoJobN(7))
	<-ran
	deadline := time.Now().Add(2 * time.Second)
	for q.Len() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("retry not scheduled")
		}
		time.Sleep(time.Millisecond)
	}
	if left := shutdown(t, q); len(left) != 1 || left[0].RepoID != 7 {
		t.Fatalf("handed back %+v, want the delayed job", left)
	}
}

func TestQueueSerialisesPerRepository(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	running := map[string]int{}
	maxSame, maxAll, all := 0, 0, 0
	var wg sync.WaitGroup
	q := NewQueue(4, 100, runnerFunc(func(ctx context.Context, j intake.Job) error {
		defer wg.Done()
		mu.Lock()
		running[j.RepoKey()]++
		all++
		maxSame, maxAll = max(maxSame, running[j.RepoKey()]), max(maxAll, all)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		running[j.RepoKey()]--
		all--
		mu.Unlock()
		return nil
	}), nil)
	var jobs []intake.Job
	for i := range 40 {
		jobs = append(jobs, repoJobN(int64(i%2))) // two repositories
	}
	wg.Add(len(jobs))
	if err := q.Enqueue(context.Background(), jobs...); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	shutdown(t, q)
	if maxSame != 1 {
		t.Fatalf("%d jobs of one repository ran at once", maxSame)
	}
	if maxAll < 2 {
		t.Fatalf("different repositories never ran in parallel (max %d)", maxAll)
	}
}

func TestQueueSurvivesPanic(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	done := make(chan struct{})
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		if runs.Add(1) == 1 {
			panic("boom")
		}
		close(done)
		return nil
	}), nil)
	q.Enqueue(context.Background(), repoJobN(1), repoJobN(2))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("worker died with the panic")
	}
	shutdown(t, q)
}

func TestQueueShutdownDeadlineCancelsJobs(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}), nil)
	q.Enqueue(context.Background(), repoJobN(1))
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := q.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown err = %v, want deadline exceeded", err)
	}
}

// TestQueueServesInstallationsInTurn: one installation's thousand jobs do
// not hold back another's, and jobs people wait for come before
// pull-request work.
func TestQueueServesInstallationsInTurn(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []intake.Job
	release := make(chan struct{})
	q := NewQueue(1, 5000, runnerFunc(func(ctx context.Context, j intake.Job) error {
		<-release
		mu.Lock()
		order = append(order, j)
		mu.Unlock()
		return nil
	}), nil)
	var big []intake.Job
	for i := range 1000 {
		big = append(big, intake.Job{Kind: intake.JobInstall, InstallationID: 1, Owner: "big", Repo: "r", RepoID: int64(i + 1)})
	}
	if err := q.Enqueue(context.Background(), big...); err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(),
		intake.Job{Kind: intake.JobRefreshPR, InstallationID: 2, Owner: "small", Repo: "low", RepoID: 1},
		intake.Job{Kind: intake.JobRefreshPR, InstallationID: 2, Owner: "small", Repo: "high", RepoID: 2, Priority: 5},
		intake.Job{Kind: intake.JobCheck, InstallationID: 2, Owner: "small", Repo: "check", RepoID: 3}); err != nil {
		t.Fatal(err)
	}
	for range 8 {
		release <- struct{}{}
	}
	close(release)
	shutdown(t, q)
	mu.Lock()
	defer mu.Unlock()
	var small []string
	for i, j := range order[:8] {
		if j.InstallationID == 2 {
			small = append(small, fmt.Sprintf("%d:%s", i, j.Repo))
		}
	}
	if len(small) != 3 || !strings.HasSuffix(small[0], "check") || !strings.HasSuffix(small[1], "high") || !strings.HasSuffix(small[2], "low") {
		t.Fatalf("installation 2's jobs ran at %v among the first 8, want all three, check first, then by priority", small)
	}
}

// TestQueueParkedJobsKeepTheirAttempts: waiting for GitHub's pause or the
// write budget is not a failure, however often it happens.
func TestQueueParkedJobsKeepTheirAttempts(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	done := make(chan struct{})
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		if runs.Add(1) <= 3*MaxAttempts {
			return &intake.RetryError{After: time.Millisecond, Err: &ghclient.RateLimitedError{Until: time.Now().Add(time.Millisecond), Reason: "retry-after"}}
		}
		close(done)
		return nil
	}), nil)
	q.Enqueue(context.Background(), repoJobN(1))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("job ran %d times and stopped", runs.Load())
	}
	shutdown(t, q)
}

// TestQueueServerErrorsBackOff: each retry after a server error waits
// longer than the one before.
func TestQueueServerErrorsBackOff(t *testing.T) {
	t.Parallel()
	clk := simclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var at []time.Time
	clk.Busy()
	q := NewQueue(1, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		mu.Lock()
		at = append(at, clk.Now())
		mu.Unlock()
		return fmt.Errorf("get repository: %w", &github.ErrorResponse{Response: &http.Response{StatusCode: 502, Request: &http.Request{Method: "GET", URL: &url.URL{}}}})
	}), nil, WithQueueClock(clk))
	q.Enqueue(context.Background(), repoJobN(1))
	clk.Idle()
	<-clk.Done()
	if len(at) != MaxAttempts {
		t.Fatalf("ran %d times, want %d", len(at), MaxAttempts)
	}
	for i := 2; i < len(at); i++ {
		if at[i].Sub(at[i-1]) <= at[i-1].Sub(at[i-2]) {
			t.Errorf("waits %v then %v: no back-off", at[i-1].Sub(at[i-2]), at[i].Sub(at[i-1]))
		}
	}
}

// TestQueueHoldsPullRequestsWhileCheckRunsWaitForTheBudget: a check-run
// job parked for the write budget keeps its installation's pull-request
// jobs waiting, so that the budget goes to posture first.
func TestQueueHoldsPullRequestsWhileCheckRunsWaitForTheBudget(t *testing.T) {
	t.Parallel()
	clk := simclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var order []string
	parked := false
	clk.Busy()
	q := NewQueue(2, 10, runnerFunc(func(ctx context.Context, j intake.Job) error {
		mu.Lock()
		defer mu.Unlock()
		if j.Kind == intake.JobInstall && !parked {
			parked = true
			return &intake.RetryError{After: time.Minute, Err: &ghclient.RateLimitedError{Until: clk.Now().Add(time.Minute), Reason: "write budget"}}
		}
		order = append(order, string(j.Kind)+"@"+clk.Now().Format("15:04"))
		return nil
	}), nil, WithQueueClock(clk))
	q.Enqueue(context.Background(), intake.Job{Kind: intake.JobInstall, InstallationID: 1, Owner: "o", Repo: "a", RepoID: 1})
	// This goroutine stays busy, so time stands still until the install
	// job is parked and the pull-request job queued behind it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		p := parked
		mu.Unlock()
		if p && q.Len() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("install job not parked")
		}
		time.Sleep(time.Millisecond)
	}
	q.Enqueue(context.Background(), intake.Job{Kind: intake.JobRefreshPR, InstallationID: 1, Owner: "o", Repo: "b", RepoID: 2})
	done := clk.Done()
	clk.Idle()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 2 || order[0] != "install@00:01" || order[1] != "refresh_pr@00:01" {
		t.Fatalf("ran %v, want the parked install first, then the pull request", order)
	}
}
