package ghclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/intake"
)

const (
	// MaxInlineWait is the longest rate-limit wait slept inside the transport;
	// longer waits fail the request with *RateLimitedError so that the job is
	// queued again instead of holding a worker.
	MaxInlineWait = 10 * time.Second
	// maxInlineRetries bounds the short waits slept for one request.
	maxInlineRetries = 2
	// secondaryWait is the first back-off on a secondary limit without
	// Retry-After (GitHub: "at least one minute"), doubled on each repeat.
	secondaryWait    = time.Minute
	maxSecondaryWait = 15 * time.Minute
	// Server errors are retried with exponential back-off from serverErrorWait.
	serverErrorWait    = 5 * time.Second
	maxServerErrorWait = 5 * time.Minute
	// peekLimit bounds how much of a 403 body is read to recognise a
	// secondary rate limit.
	peekLimit = 64 << 10
)

// RateLimitedError is returned by the pacing transport when GitHub asked it to
// wait longer than MaxInlineWait. Until is when requests may resume.
type RateLimitedError struct {
	Until  time.Time
	Status int    // HTTP status that signalled the limit, 0 if remembered
	Reason string // "retry-after", "primary rate limit", "secondary rate limit"
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("github %s: wait until %s", e.Reason, e.Until.UTC().Format(time.RFC3339))
}

// RetryAfter is how long to wait from now, at least one second.
func (e *RateLimitedError) RetryAfter() time.Duration {
	return max(time.Until(e.Until), time.Second)
}

// Pacer holds one installation's pacing state: content-creating requests
// (POST, PATCH, PUT, DELETE) run one at a time and at most writesPerMinute per
// minute, and every request stops while GitHub has asked for a pause. Share
// one Pacer among all clients of an installation.
type Pacer struct {
	interval time.Duration // between writes; 0 turns spacing off
	writes   chan struct{} // one write in flight

	mu            sync.Mutex
	nextWrite     time.Time
	blockedUntil  time.Time
	blockedReason string
	secondaryHits int
}

// NewPacer returns a Pacer for writesPerMinute (0: writes are serialised but
// not spaced).
func NewPacer(writesPerMinute int) *Pacer {
	p := &Pacer{writes: make(chan struct{}, 1)}
	if writesPerMinute > 0 {
		p.interval = time.Minute / time.Duration(writesPerMinute)
	}
	return p
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

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := t.p.waitBlocked(ctx); err != nil {
		closeBody(req)
		return nil, err
	}
	if isWrite(req.Method) {
		select {
		case t.p.writes <- struct{}{}:
		case <-ctx.Done():
			closeBody(req)
			return nil, ctx.Err()
		}
		defer func() { <-t.p.writes }()
		if err := sleepCtx(ctx, t.p.reserveWrite()); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		resp, err := t.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		wait, reason, limited := t.p.limitWait(resp)
		if !limited {
			t.p.succeeded()
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
		resp.Body.Close()
		replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if wait <= MaxInlineWait && attempt < maxInlineRetries && replayable {
			if err := sleepCtx(ctx, wait); err != nil {
				return nil, err
			}
			next := req.Clone(ctx)
			if req.GetBody != nil {
				if next.Body, err = req.GetBody(); err != nil {
					return nil, err
				}
			}
			req = next
			continue
		}
		until := time.Now().Add(wait)
		t.p.block(until, reason)
		return nil, &RateLimitedError{Until: until, Status: resp.StatusCode, Reason: reason}
	}
}

// reserveWrite books the next write slot and returns how long to wait for it.
func (p *Pacer) reserveWrite() time.Duration {
	if p.interval == 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	start := now
	if p.nextWrite.After(now) {
		start = p.nextWrite
	}
	p.nextWrite = start.Add(p.interval)
	return start.Sub(now)
}

// waitBlocked sleeps through a short pause GitHub asked for, or fails fast
// with *RateLimitedError during a long one.
func (p *Pacer) waitBlocked(ctx context.Context) error {
	p.mu.Lock()
	until, reason := p.blockedUntil, p.blockedReason
	p.mu.Unlock()
	wait := time.Until(until)
	if wait <= 0 {
		return nil
	}
	if wait > MaxInlineWait {
		return &RateLimitedError{Until: until, Reason: reason}
	}
	return sleepCtx(ctx, wait)
}

func (p *Pacer) block(until time.Time, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.blockedUntil) {
		p.blockedUntil, p.blockedReason = until, reason
	}
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
			return max(time.Until(at), 0), "retry-after", true
		}
	}
	if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			// One second of margin: the reset is rounded to seconds.
			return max(time.Until(time.Unix(reset, 0))+time.Second, 0), "primary rate limit", true
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

// RetryDelay reports whether err means "try again later" and after how
// long, for the attempt-th retry (0 for the first): *intake.RetryError,
// *RateLimitedError, go-github's *RateLimitError (until Rate.Reset),
// *AbuseRateLimitError (RetryAfter, default 60 s), *AcceptedError (30 s)
// and server errors (5xx), which back off exponentially from 5 s, capped
// at 5 minutes.
func RetryDelay(err error, attempt int) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var re *intake.RetryError
	if errors.As(err, &re) {
		return max(re.After, 0), true
	}
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter(), true
	}
	var prim *github.RateLimitError
	if errors.As(err, &prim) {
		return max(time.Until(prim.Rate.Reset.Time)+time.Second, time.Second), true
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		if abuse.RetryAfter != nil && *abuse.RetryAfter > 0 {
			return *abuse.RetryAfter, true
		}
		return secondaryWait, true
	}
	var accepted *github.AcceptedError
	if errors.As(err, &accepted) {
		return 30 * time.Second, true
	}
	if Status(err) >= 500 {
		return min(serverErrorWait<<min(max(attempt, 0), 16), maxServerErrorWait), true
	}
	return 0, false
}
