package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
)

// MaxAttempts bounds how often a job is run when it keeps asking to be retried.
const MaxAttempts = 6

// ErrQueueClosed is returned by Enqueue after Shutdown has begun.
var ErrQueueClosed = errors.New("queue is shutting down")

// QueueFullError is returned by Enqueue when the queue has no room.
type QueueFullError struct{ Capacity int }

func (e *QueueFullError) Error() string {
	return fmt.Sprintf("queue full (%d jobs)", e.Capacity)
}

// RetryAfter suggests when the sender should try again.
func (e *QueueFullError) RetryAfter() time.Duration { return 30 * time.Second }

type queued struct {
	job     intake.Job
	attempt int // runs so far
}

// Queue is an in-process bounded job queue with a pool of workers. Jobs for
// the same repository never run at the same time; a job that returns a retry
// error is queued again after its delay, up to MaxAttempts runs.
type Queue struct {
	runner   intake.Runner
	logger   *slog.Logger
	capacity int

	ctx    context.Context // cancelled when Shutdown gives up waiting
	cancel context.CancelFunc

	mu       sync.Mutex
	cond     *sync.Cond
	pending  []queued
	running  map[string]bool // repo keys of running jobs
	delayed  map[*time.Timer]queued
	closed   bool
	handback []intake.Job // retries asked for by jobs that ended during Shutdown
	wg       sync.WaitGroup
}

// NewQueue starts workers (at least 1) that run jobs with r; at most capacity
// jobs wait at a time. A nil logger discards logs.
func NewQueue(workers, capacity int, r intake.Runner, logger *slog.Logger) *Queue {
	if workers < 1 {
		workers = 1
	}
	if capacity < 1 {
		capacity = 1
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		runner: r, logger: logger, capacity: capacity, ctx: ctx, cancel: cancel,
		running: make(map[string]bool), delayed: make(map[*time.Timer]queued),
	}
	q.cond = sync.NewCond(&q.mu)
	q.wg.Add(workers)
	for range workers {
		go q.work()
	}
	return q
}

// Enqueue adds all jobs or none: it fails with *QueueFullError when they do
// not fit and with ErrQueueClosed after Shutdown. It never blocks.
func (q *Queue) Enqueue(_ context.Context, jobs ...intake.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrQueueClosed
	}
	if len(q.pending)+len(jobs) > q.capacity {
		return &QueueFullError{Capacity: q.capacity}
	}
	for _, j := range jobs {
		q.pending = append(q.pending, queued{job: j})
	}
	q.cond.Broadcast()
	return nil
}

// Len returns the number of jobs waiting, delayed retries included.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending) + len(q.delayed)
}

// Shutdown stops intake, stops starting jobs, waits for running jobs to finish
// and returns the jobs that were still waiting (delayed retries included), so
// that the caller can hand them back. If ctx ends first, running jobs are
// cancelled and ctx's error is returned with the waiting jobs.
func (q *Queue) Shutdown(ctx context.Context) (left []intake.Job, err error) {
	q.mu.Lock()
	q.closed = true
	left = make([]intake.Job, 0, len(q.pending)+len(q.delayed))
	for _, it := range q.pending {
		left = append(left, it.job)
	}
	q.pending = nil
	for t, it := range q.delayed {
		// A timer that already fired finds itself gone and does nothing.
		t.Stop()
		left = append(left, it.job)
		delete(q.delayed, t)
	}
	q.cond.Broadcast()
	q.mu.Unlock()

	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		q.cancel()
		<-done
	}
	q.cancel()
	q.mu.Lock()
	left = append(left, q.handback...)
	q.handback = nil
	q.mu.Unlock()
	return left, err
}

// next blocks until a job whose repository is idle can start, or the queue
// closes. It marks the job's repository as running.
func (q *Queue) next() (queued, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if q.closed {
			return queued{}, false
		}
		for i, it := range q.pending {
			key := it.job.RepoKey()
			if q.running[key] {
				continue
			}
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			q.running[key] = true
			return it, true
		}
		q.cond.Wait()
	}
}

func (q *Queue) work() {
	defer q.wg.Done()
	for {
		it, ok := q.next()
		if !ok {
			return
		}
		err := q.run(it.job)
		q.mu.Lock()
		delete(q.running, it.job.RepoKey())
		q.cond.Broadcast()
		q.mu.Unlock()
		q.settle(it, err)
	}
}

func (q *Queue) run(job intake.Job) (err error) {
	logger := q.logger.With(job.LogArgs()...)
	ctx := intake.ContextWithLogger(q.ctx, logger)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job panicked: %v", p)
		}
	}()
	start := time.Now()
	err = q.runner.Run(ctx, job)
	logger.Debug("job finished", "took", time.Since(start), "err", err)
	return err
}

// settle decides what happens after a run: done, failed, or queued again.
func (q *Queue) settle(it queued, err error) {
	it.attempt++
	logger := q.logger.With(it.job.LogArgs()...)
	if err == nil {
		logger.Info("job done", "attempt", it.attempt)
		return
	}
	delay, retry := ghclient.RetryDelay(err, it.attempt)
	if !retry {
		logger.Error("job failed", "attempt", it.attempt, "err", err)
		return
	}
	if it.attempt >= MaxAttempts {
		logger.Error("job given up after retries", "attempt", it.attempt, "err", err)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		logger.Warn("job to be retried handed back: queue shutting down", "err", err)
		q.handback = append(q.handback, it.job)
		return
	}
	logger.Info("job will be retried", "after", delay, "attempt", it.attempt, "err", err)
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if _, ok := q.delayed[t]; !ok {
			return // handed back by Shutdown
		}
		delete(q.delayed, t)
		// Retries were accepted work: they may exceed the capacity.
		q.pending = append(q.pending, it)
		q.cond.Broadcast()
	})
	q.delayed[t] = it
}
