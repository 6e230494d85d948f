package ghclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// MaxInlineWait is the longest wait (GitHub's pause, the write budget)
	// slept inside the transport; a longer one fails the request with
	// *RateLimitedError so that the job is parked and queued again instead
	// of holding a worker.
	MaxInlineWait = 10 * time.Second
	// maxInlineRetries bounds the short rate-limit waits slept for one
	// request.
	maxInlineRetries = 2
	// secondaryWait is the first back-off on a secondary limit without
	// Retry-After (GitHub: "at least one minute"), doubled on each repeat.
	secondaryWait    = time.Minute
	maxSecondaryWait = 15 * time.Minute
	// peekLimit bounds how much of a 403 body is read to recognise a
	// secondary rate limit.
	peekLimit = 64 << 10
)

// RateLimitedError is returned by the pacing transport when a request must
// wait longer than MaxInlineWait: GitHub asked for a pause, or the
// installation's write budget is spent until then. It is not a failure:
// the job is parked until Until without using up an attempt.
type RateLimitedError struct {
	Until  time.Time
	Status int    // HTTP status that signalled the limit, 0 if none
	Reason string // "retry-after", "primary rate limit", "secondary rate limit", "write budget"
	now    func() time.Time
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("github %s: wait until %s", e.Reason, e.Until.UTC().Format(time.RFC3339))
}

// RetryAfter is how long to wait from now, at least one second.
func (e *RateLimitedError) RetryAfter() time.Duration {
	now := time.Now()
	if e.now != nil {
		now = e.now()
	}
	return max(e.Until.Sub(now), time.Second)
}

// WriteBudgetSpent is the error for work that must wait for the write
// budget until at; now is the caller's clock, which RetryAfter measures
// the wait on (a simulated clock in tests and benchmarks).
func WriteBudgetSpent(at time.Time, now func() time.Time) *RateLimitedError {
	return &RateLimitedError{Until: at, Reason: "write budget", now: now}
}

// Pacer paces one installation's requests: content-creating ones (POST,
// PATCH, PUT, DELETE) take a slot of the installation's write budget in the
// shared BudgetStore, and every request stops while GitHub has asked for a
// pause, which is recorded in the store for every worker. Idempotent
// requests are retried in place on server errors, with back-off and jitter.
type Pacer struct {
	installation int64
	store        BudgetStore
	lim          Limits
	clock        Clock

	mu            sync.Mutex
	pauseUntil    time.Time // the last pause seen, cached for reads
	pauseReason   string
	secondaryHits int
}

// NewPacer returns the Pacer of installation over store (nil: a store of
// its own) with the budget lim, reading time from clock (nil: the
// system's).
func NewPacer(installation int64, store BudgetStore, lim Limits, clock Clock) *Pacer {
	if store == nil {
		store = NewMemoryStore()
	}
	if clock == nil {
		clock = SystemClock()
	}
	return &Pacer{installation: installation, store: store, lim: lim, clock: clock}
}

// Transport wraps base with this Pacer.
func (p *Pacer) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &pacingTransport{p: p, base: base}
}

type pacingTransport struct {
	p    *Pacer
	base http.RoundTripper
}

// isWrite reports whether GitHub counts the request as content-creating.
// A GraphQL document without a mutation is a read.
func isWrite(req *http.Request) bool {
	switch req.Method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return !isGraphQLQuery(req)
	}
	return false
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	p := t.p
	write := isWrite(req)
	retrySafe := idempotent(req)
	limitHits, serverErrors := 0, 0
	for {
		if err := p.waitPause(ctx, write); err != nil {
			closeBody(req)
			return nil, err
		}
		if write && p.lim.On() {
			if err := p.takeSlot(ctx); err != nil {
				closeBody(req)
				return nil, err
			}
		}
		resp, err := t.base.RoundTrip(req)
		replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		serverFault := false
		if err != nil {
			if !retrySafe || !replayable || serverErrors >= maxServerRetries || ctx.Err() != nil {
				return nil, err
			}
			serverErrors, serverFault = serverErrors+1, true
		} else if wait, reason, limited := p.limitWait(resp); limited {
			io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
			resp.Body.Close()
			until := p.clock.Now().Add(wait)
			p.recordPause(ctx, until, reason)
			if wait > MaxInlineWait || limitHits >= maxInlineRetries || !replayable {
				return nil, &RateLimitedError{Until: until, Status: resp.StatusCode, Reason: reason, now: p.clock.Now}
			}
			limitHits++
			// The pause is waited for at the top of the loop.
		} else if resp.StatusCode >= 500 && retrySafe && replayable && serverErrors < maxServerRetries {
			io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
			resp.Body.Close()
			serverErrors, serverFault = serverErrors+1, true
		} else {
			if resp.StatusCode < 400 {
				p.succeeded()
			}
			return resp, nil
		}
		if serverFault {
			if err := p.clock.Sleep(ctx, backoff(serverErrors-1)); err != nil {
				return nil, err
			}
		}
		next := req.Clone(ctx)
		if req.GetBody != nil {
			var err error
			if next.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		req = next
	}
}

// takeSlot books a write slot and sleeps until it, or fails with
// *RateLimitedError when the slot is further away than MaxInlineWait.
// After the sleep the pause is looked up again: a write booked before
// GitHub asked for a pause must not go out.
func (p *Pacer) takeSlot(ctx context.Context) error {
	now := p.clock.Now()
	at, booked, err := p.store.Reserve(ctx, p.installation, now, p.lim, MaxInlineWait)
	if err != nil {
		return fmt.Errorf("write budget: %w", err)
	}
	if !booked {
		return WriteBudgetSpent(at, p.clock.Now)
	}
	if err := p.clock.Sleep(ctx, at.Sub(now)); err != nil {
		return err
	}
	until, reason, err := p.store.Paused(ctx, p.installation, p.clock.Now())
	if err != nil {
		return fmt.Errorf("write budget: %w", err)
	}
	if !until.IsZero() {
		p.cachePause(until, reason)
		return &RateLimitedError{Until: until, Reason: reason, now: p.clock.Now}
	}
	return nil
}

// waitPause sleeps through a short pause, or fails fast with
// *RateLimitedError during a long one. Writes ask the shared store (another
// worker may have been told to pause); reads use what this worker saw.
func (p *Pacer) waitPause(ctx context.Context, write bool) error {
	now := p.clock.Now()
	p.mu.Lock()
	until, reason := p.pauseUntil, p.pauseReason
	p.mu.Unlock()
	if write {
		u, r, err := p.store.Paused(ctx, p.installation, now)
		if err != nil {
			return fmt.Errorf("write budget: %w", err)
		}
		if u.After(until) {
			until, reason = u, r
			p.cachePause(u, r)
		}
	}
	wait := until.Sub(now)
	if wait <= 0 {
		return nil
	}
	if wait > MaxInlineWait {
		return &RateLimitedError{Until: until, Reason: reason, now: p.clock.Now}
	}
	return p.clock.Sleep(ctx, wait)
}

func (p *Pacer) cachePause(until time.Time, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.pauseUntil) {
		p.pauseUntil, p.pauseReason = until, reason
	}
}

// recordPause keeps a pause GitHub asked for, here and in the store.
func (p *Pacer) recordPause(ctx context.Context, until time.Time, reason string) {
	p.cachePause(until, reason)
	// Best effort: without the store, this worker still waits, and the
	// others learn from GitHub.
	_ = p.store.Pause(context.WithoutCancel(ctx), p.installation, until, reason)
}

func (p *Pacer) succeeded() {
	p.mu.Lock()
	p.secondaryHits = 0
	p.mu.Unlock()
}

// limitWait recognises GitHub's rate-limit answers and says how long to wait.
func (p *Pacer) limitWait(resp *http.Response) (time.Duration, string, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, "", false
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, "retry-after", true
		}
		if at, err := http.ParseTime(ra); err == nil {
			return max(at.Sub(p.clock.Now()), 0), "retry-after", true
		}
	}
	if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			// One second of margin: the reset is rounded to seconds.
			return max(time.Unix(reset, 0).Sub(p.clock.Now())+time.Second, 0), "primary rate limit", true
		}
	}
	secondary := resp.StatusCode == http.StatusTooManyRequests
	if !secondary {
		head, _ := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		lower := strings.ToLower(string(head))
		secondary = strings.Contains(lower, "secondary rate limit") || strings.Contains(lower, "abuse")
	}
	if !secondary {
		return 0, "", false // a permission 403: the caller's business
	}
	p.mu.Lock()
	wait := min(secondaryWait<<p.secondaryHits, maxSecondaryWait)
	if p.secondaryHits < 8 {
		p.secondaryHits++
	}
	p.mu.Unlock()
	return wait, "secondary rate limit", true
}
