package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
)

// MaxAttempts bounds how often a job is run when it keeps failing in a way
// that may pass (server errors). Waiting for GitHub's pause or for the
// write budget (ghclient.IsPark) is not an attempt.
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
	attempt int // runs that counted so far
	seq     uint64
}

// class orders an installation's jobs: what people wait for (check runs of
// pushes and pull requests, the first scan and check run of a repository,
// closing on uninstall) before pull-request work and rescans.
func (it queued) class() int {
	switch it.job.Kind {
	case intake.JobRefreshPR, intake.JobRescan:
		return 1
	}
	return 0
}

func (it queued) before(o queued) bool {
	if a, b := it.class(), o.class(); a != b {
		return a < b
	}
	if it.job.Priority != o.job.Priority {
		return it.job.Priority > o.job.Priority
	}
	return it.seq < o.seq
}

// QueueOption tunes a Queue.
type QueueOption func(*Queue)

// workClock is a simulated clock that must know when workers wait.
type workClock interface {
	Busy()
	Idle()
}

// Queue is an in-process job queue with a pool of workers. Each
// installation has its own line and the workers serve installations in
// turn, so that one installation with thousands of repositories does not
// hold back the others; within a line, jobs people wait for come first,
// then pull-request work by priority. Jobs for the same repository never
// run at the same time. A job that asks to be retried is queued again
// after its delay: waits for GitHub's pause or the write budget without
// limit, failures up to MaxAttempts runs.
type Queue struct {
	runner   intake.Runner
	logger   *slog.Logger
	capacity int
	clock    ghclient.Clock
	sim      workClock // nil with the system clock

	ctx    context.Context // cancelled when Shutdown gives up waiting
	cancel context.CancelFunc

	mu       sync.Mutex
	cond     *sync.Cond
	lines    map[int64][]queued // waiting, per installation, in order
	turns    []int64            // installations with waiting jobs, in serving order
	waiting  int
	seq      uint64
	running  map[string]bool // repo keys of running jobs
	delayed  map[uint64]delayedJob
	closed   bool
	handback []intake.Job // retries asked for by jobs that ended during Shutdown
	idle     int          // workers waiting for a job
	handoffs int          // idle workers already counted busy by whoever woke them
	// budgetTurn is, per installation and class, when the next job parked
	// for the write budget is woken: parked jobs take turns instead of all
	// waking at the same slot and parking again.
	budgetTurn map[int64]*[2]time.Time
	// parkedFirst counts, per installation, parked jobs of the first class
	// (check runs): while there are any, pull-request work waits, so that
	// every repository's posture is known before the budget goes to pull
	// requests.
	parkedFirst map[int64]int
	wg          sync.WaitGroup
}

// budgetTurnGap is how far apart jobs parked for the write budget are
// woken, per class: about what one job spends of an hour's budget (480
// writes): one write for a check run, six for a pull request. Too early a
// turn parks the job again cheaply.
var budgetTurnGap = [2]time.Duration{time.Hour / ghclient.DefaultWritesPerHour, 6 * time.Hour / ghclient.DefaultWritesPerHour}

type delayedJob struct {
	it   queued
	stop func() bool
}

// NewQueue starts workers (at least 1) that run jobs with r; at most
// capacity jobs wait at a time (retries of accepted jobs may exceed it).
// A nil logger discards logs.
func NewQueue(workers, capacity int, r intake.Runner, logger *slog.Logger, opts ...QueueOption) *Queue {
	workers, capacity = max(workers, 1), max(capacity, 1)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		runner: r, logger: logger, capacity: capacity, ctx: ctx, cancel: cancel, clock: ghclient.SystemClock(),
		lines: map[int64][]queued{}, running: map[string]bool{}, delayed: map[uint64]delayedJob{},
		budgetTurn: map[int64]*[2]time.Time{}, parkedFirst: map[int64]int{},
	}
	for _, o := range opts {
		o(q)
	}
	q.sim, _ = q.clock.(workClock)
	q.cond = sync.NewCond(&q.mu)
	q.wg.Add(workers)
	for range workers {
		if q.sim != nil {
			q.sim.Busy()
		}
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
	if q.waiting+len(jobs) > q.capacity {
		return &QueueFullError{Capacity: q.capacity}
	}
	for _, j := range jobs {
		q.pushLocked(queued{job: j})
	}
	return nil
}

// pushLocked puts it in its installation's line and wakes a worker.
func (q *Queue) pushLocked(it queued) {
	q.seq++
	it.seq = q.seq
	id := it.job.InstallationID
	line := q.lines[id]
	if len(line) == 0 {
		q.turns = append(q.turns, id)
	}
	i := sort.Search(len(line), func(i int) bool { return it.before(line[i]) })
	line = append(line, queued{})
	copy(line[i+1:], line[i:])
	line[i] = it
	q.lines[id] = line
	q.waiting++
	if q.sim != nil && q.idle > q.handoffs {
		// The worker this wakes is working from now on, before it runs.
		q.handoffs++
		q.sim.Busy()
	}
	q.cond.Broadcast()
}

// Len returns the number of jobs waiting, delayed retries included.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.waiting + len(q.delayed)
}

// Shutdown stops intake, stops starting jobs, waits for running jobs to finish
// and returns the jobs that were still waiting (delayed retries included), so
// that the caller can hand them back. If ctx ends first, running jobs are
// cancelled and ctx's error is returned with the waiting jobs.
func (q *Queue) Shutdown(ctx context.Context) (left []intake.Job, err error) {
	q.mu.Lock()
	q.closed = true
	left = make([]intake.Job, 0, q.waiting+len(q.delayed))
	for _, id := range q.turns {
		for _, it := range q.lines[id] {
			left = append(left, it.job)
		}
	}
	q.lines, q.turns, q.waiting, q.parkedFirst = map[int64][]queued{}, nil, 0, map[int64]int{}
	ids := make([]uint64, 0, len(q.delayed))
	for id := range q.delayed {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		// A timer that already fired finds itself gone and does nothing.
		q.delayed[id].stop()
		left = append(left, q.delayed[id].it.job)
		delete(q.delayed, id)
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
// closes. Installations take turns; the one served goes to the back.
func (q *Queue) next() (queued, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if q.closed {
			return queued{}, false
		}
		for t, id := range q.turns {
			line := q.lines[id]
			for i, it := range line {
				key := it.job.RepoKey()
				if q.running[key] || it.class() > 0 && q.parkedFirst[id] > 0 {
					continue
				}
				line = append(line[:i:i], line[i+1:]...)
				q.waiting--
				q.running[key] = true
				q.turns = append(q.turns[:t:t], q.turns[t+1:]...)
				if len(line) > 0 {
					q.lines[id] = line
					q.turns = append(q.turns, id)
				} else {
					delete(q.lines, id)
				}
				return it, true
			}
		}
		q.idle++
		if q.sim != nil {
			q.sim.Idle()
		}
		q.cond.Wait()
		q.idle--
		if q.sim != nil {
			if q.handoffs > 0 {
				q.handoffs--
			} else {
				q.sim.Busy()
			}
		}
	}
}

func (q *Queue) work() {
	defer q.wg.Done()
	if q.sim != nil {
		defer q.sim.Idle()
	}
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
	start := q.clock.Now()
	err = q.runner.Run(ctx, job)
	logger.Debug("job finished", "took", q.clock.Now().Sub(start), "err", err)
	return err
}

// settle decides what happens after a run: done, failed, or queued again.
func (q *Queue) settle(it queued, err error) {
	logger := q.logger.With(it.job.LogArgs()...)
	park := ghclient.IsPark(err)
	if !park {
		it.attempt++
	}
	if err == nil {
		logger.Info("job done", "attempt", it.attempt)
		return
	}
	delay, retry := ghclient.RetryDelay(err, it.attempt-1)
	if !retry {
		logger.Error("job failed", "attempt", it.attempt, "err", err)
		return
	}
	if !park && it.attempt >= MaxAttempts {
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
	if park {
		var rl *ghclient.RateLimitedError
		if errors.As(err, &rl) && rl.Reason == "write budget" {
			id, now, class := it.job.InstallationID, q.clock.Now(), it.class()
			turns := q.budgetTurn[id]
			if turns == nil {
				turns = &[2]time.Time{}
				q.budgetTurn[id] = turns
			}
			turn := now.Add(delay)
			if turns[class].After(turn) {
				turn = turns[class]
			}
			turns[class] = turn.Add(budgetTurnGap[class])
			delay = turn.Sub(now)
		}
		logger.Info("job parked", "until", q.clock.Now().Add(delay), "err", err)
	} else {
		logger.Info("job will be retried", "after", delay, "attempt", it.attempt, "err", err)
	}
	q.seq++
	id := q.seq
	first := it.class() == 0
	if first {
		q.parkedFirst[it.job.InstallationID]++
	}
	stop := q.clock.AfterFunc(delay, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if _, ok := q.delayed[id]; !ok {
			return // handed back by Shutdown
		}
		delete(q.delayed, id)
		if first {
			q.parkedFirst[it.job.InstallationID]--
		}
		// Retries were accepted work: they may exceed the capacity.
		q.pushLocked(it)
	})
	q.delayed[id] = delayedJob{it: it, stop: stop}
}
