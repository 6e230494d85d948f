package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
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
	q := NewQueue(1, 10, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
	q := NewQueue(1, 2, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error { <-block; return nil }), nil)
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
	q := NewQueue(2, 10, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
	q := NewQueue(1, 10, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
	q := NewQueue(1, 10, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
	q := NewQueue(4, 100, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
	q := NewQueue(1, 10, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
	q := NewQueue(1, 10, intake.RunnerFunc(func(ctx context.Context, j intake.Job) error {
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
