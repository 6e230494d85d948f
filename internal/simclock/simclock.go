// Package simclock is a simulated clock for tests and benchmarks of code
// that waits for hours (rate limits, back-off, parked jobs): time moves
// only when every goroutine taking part is waiting on the clock, and then
// jumps to the earliest wake-up. Nothing sleeps for real.
//
// Goroutines take part by calling Busy when they start working and Idle
// when they stop; Sleep counts as waiting for its duration. A goroutine
// that blocks on anything else (a lock held by a sleeper, a channel fed by
// one) while counted busy stops the clock: code under test must not hold
// locks across Sleep.
package simclock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Clock is a simulated clock. Its zero value is not usable; call New.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	busy   int
	seq    int
	timers timerHeap
	done   chan struct{} // closed when nothing is busy and nothing is due
	closed bool
}

type timer struct {
	at    time.Time
	seq   int // FIFO among equal times
	wake  chan struct{}
	fn    func()
	index int
	dead  bool
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any)   { t := x.(*timer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any     { old := *h; t := old[len(old)-1]; *h = old[:len(old)-1]; return t }
func (h timerHeap) peek() *timer  { return h[0] }

// New returns a clock at start with no goroutine counted busy.
func New(start time.Time) *Clock {
	return &Clock{now: start, done: make(chan struct{})}
}

// Now is the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Busy counts one more goroutine as working: time stands still until it
// calls Idle or sleeps.
func (c *Clock) Busy() {
	c.mu.Lock()
	c.busy++
	if c.closed {
		// A new round of work: Done waits for it.
		c.done, c.closed = make(chan struct{}), false
	}
	c.mu.Unlock()
}

// Idle counts one goroutine as no longer working.
func (c *Clock) Idle() {
	c.mu.Lock()
	c.busy--
	c.advanceLocked()
	c.mu.Unlock()
}

// Done is closed once no goroutine is busy and no timer is pending: the
// simulation has nothing left to do. A later Busy starts a new round with
// a new channel.
func (c *Clock) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// Sleep waits d of simulated time. The caller must be counted busy; it is
// counted busy again when it returns.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	t := c.addLocked(d, nil)
	c.busy--
	c.advanceLocked()
	c.mu.Unlock()
	select {
	case <-t.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		if !t.dead {
			t.dead = true
			heap.Remove(&c.timers, t.index)
			c.busy++
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// AfterFunc calls f in a goroutine counted busy after d of simulated time.
func (c *Clock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	c.mu.Lock()
	t := c.addLocked(max(d, 0), f)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.dead {
			return false
		}
		t.dead = true
		heap.Remove(&c.timers, t.index)
		return true
	}
}

func (c *Clock) addLocked(d time.Duration, f func()) *timer {
	c.seq++
	t := &timer{at: c.now.Add(d), seq: c.seq, fn: f}
	if f == nil {
		t.wake = make(chan struct{})
	}
	heap.Push(&c.timers, t)
	return t
}

// advanceLocked moves time to the earliest timer when nothing is busy and
// wakes everything due then. Woken sleepers and started functions are
// counted busy before the lock is released, so that time cannot move past
// them.
func (c *Clock) advanceLocked() {
	if c.busy > 0 {
		return
	}
	if len(c.timers) == 0 {
		if !c.closed {
			c.closed = true
			close(c.done)
		}
		return
	}
	at := c.timers.peek().at
	if at.After(c.now) {
		c.now = at
	}
	for len(c.timers) > 0 && !c.timers.peek().at.After(c.now) {
		t := heap.Pop(&c.timers).(*timer)
		t.dead = true
		c.busy++
		if t.fn != nil {
			go func(f func()) {
				f()
				c.Idle()
			}(t.fn)
			continue
		}
		close(t.wake)
	}
}
