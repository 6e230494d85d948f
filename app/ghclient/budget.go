package ghclient

import (
	"context"
	"sync"
	"time"
)

// GitHub's secondary limits on content-creating requests (POST, PATCH, PUT,
// DELETE and GraphQL mutations) of one installation: 80 a minute and 500 an
// hour, and at least a second between them ("Best practices for using the
// REST API").
const (
	GitHubWritesPerMinute = 80
	GitHubWritesPerHour   = 500
	// DefaultWritesPerHour keeps a margin under GitHub's 500: clocks of
	// different workers differ slightly, and the window GitHub counts is
	// its own.
	DefaultWritesPerHour = 480
	minWriteSpacing      = time.Second
	// windowMargin is added to a window's length before a slot is reused.
	windowMargin = time.Second
)

// Limits is the write budget of one installation.
type Limits struct {
	PerMinute int // 0: no budget (GitHub's pauses are still honoured)
	PerHour   int
	// Spacing is the least time between two writes.
	Spacing time.Duration
}

// LimitsFor is the budget for HARDENER_WRITE_RATE (writes per minute,
// capped at GitHub's 80; 0 turns the budget off): DefaultWritesPerHour an
// hour, writes spread at least a second (or a minute / rate) apart.
func LimitsFor(perMinute int) Limits {
	if perMinute <= 0 {
		return Limits{}
	}
	perMinute = min(perMinute, GitHubWritesPerMinute)
	return Limits{PerMinute: perMinute, PerHour: DefaultWritesPerHour,
		Spacing: min(minWriteSpacing, time.Minute/time.Duration(perMinute))}
}

// On reports whether the budget limits writes at all.
func (l Limits) On() bool { return l.PerMinute > 0 }

// BudgetStore keeps every installation's write budget and the pauses GitHub
// asked for, where all workers that write for the installation see them:
// in memory for one process (MemoryStore), in a shared table for several
// (see docs/rate-limits.md).
type BudgetStore interface {
	// Reserve books the earliest time at or after now when one more write
	// of installation keeps within lim and after any pause, if that time
	// is at most horizon after now; booked is false (and nothing booked)
	// otherwise, and at says when to come back.
	Reserve(ctx context.Context, installation int64, now time.Time, lim Limits, horizon time.Duration) (at time.Time, booked bool, err error)
	// Pause records that GitHub asked installation to wait until until; a
	// later pause wins over an earlier one.
	Pause(ctx context.Context, installation int64, until time.Time, reason string) error
	// Paused returns the pause of installation in force at now (zero time
	// when none).
	Paused(ctx context.Context, installation int64, now time.Time) (until time.Time, reason string, err error)
}

// Earliest is the first time at or after now when one more write fits
// within lim after the booked writes (oldest first, spaced as lim says)
// and the pause. Stores call it to book.
func Earliest(booked []time.Time, now, pause time.Time, lim Limits) time.Time {
	at := now
	if pause.After(at) {
		at = pause
	}
	n := len(booked)
	if n == 0 {
		return at
	}
	at = later(at, booked[n-1].Add(lim.Spacing))
	if lim.PerMinute > 0 && n >= lim.PerMinute {
		at = later(at, booked[n-lim.PerMinute].Add(time.Minute+windowMargin))
	}
	if lim.PerHour > 0 && n >= lim.PerHour {
		at = later(at, booked[n-lim.PerHour].Add(time.Hour+windowMargin))
	}
	return at
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Prune drops bookings that no window sees at now any more.
func Prune(booked []time.Time, now time.Time) []time.Time {
	cut := 0
	for cut < len(booked) && booked[cut].Before(now.Add(-time.Hour-windowMargin)) {
		cut++
	}
	return booked[cut:]
}

// MemoryStore is a BudgetStore for one process: `hardener serve`, or
// workers that share one.
type MemoryStore struct {
	mu   sync.Mutex
	inst map[int64]*memBudget
}

type memBudget struct {
	booked []time.Time // ascending
	pause  time.Time
	reason string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{inst: map[int64]*memBudget{}} }

func (s *MemoryStore) of(id int64) *memBudget {
	b := s.inst[id]
	if b == nil {
		b = &memBudget{}
		s.inst[id] = b
	}
	return b
}

// Reserve implements BudgetStore.
func (s *MemoryStore) Reserve(_ context.Context, installation int64, now time.Time, lim Limits, horizon time.Duration) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.of(installation)
	b.booked = Prune(b.booked, now)
	at := Earliest(b.booked, now, b.pause, lim)
	if at.Sub(now) > horizon {
		return at, false, nil
	}
	b.booked = append(b.booked, at)
	return at, true, nil
}

// Pause implements BudgetStore.
func (s *MemoryStore) Pause(_ context.Context, installation int64, until time.Time, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.of(installation)
	if until.After(b.pause) {
		b.pause, b.reason = until, reason
	}
	return nil
}

// Paused implements BudgetStore.
func (s *MemoryStore) Paused(_ context.Context, installation int64, now time.Time) (time.Time, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.inst[installation]
	if b == nil || !b.pause.After(now) {
		return time.Time{}, "", nil
	}
	return b.pause, b.reason, nil
}
