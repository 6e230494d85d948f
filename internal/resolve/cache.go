package resolve

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// cache memoises lookups process-wide. Successful answers and definite
// negatives (ErrNotFound, ErrUnreachable) are kept for ttl; transient
// failures (network, 5xx, rate limits) are not, so a later call retries.
// Concurrent callers of the same key share one request.
type cache struct {
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time

	mu    sync.Mutex
	m     map[string]entry
	group singleflight.Group
}

type entry struct {
	val     any
	err     error
	expires time.Time
}

func newCache(ttl, timeout time.Duration) *cache {
	return &cache{ttl: ttl, timeout: timeout, now: time.Now, m: map[string]entry{}}
}

func (c *cache) get(key string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return entry{}, false
	}
	if c.ttl > 0 && c.now().After(e.expires) {
		delete(c.m, key)
		return entry{}, false
	}
	return e, true
}

func (c *cache) put(key string, val any, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = entry{val: val, err: err, expires: c.now().Add(c.ttl)}
}

// cacheable reports whether err is a stable answer rather than a failure.
func cacheable(err error) bool {
	return err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnreachable)
}

// cached returns the memoised result for key, or runs fn once for every
// concurrent caller. fn runs detached from the first caller's cancellation
// (bounded by the cache timeout) so that one caller giving up does not fail
// the others; each caller still stops waiting when its own ctx ends.
func cached[T any](ctx context.Context, c *cache, key string, fn func(context.Context) (T, error)) (T, error) {
	if e, ok := c.get(key); ok {
		v, _ := e.val.(T)
		return v, e.err
	}
	ch := c.group.DoChan(key, func() (any, error) {
		if e, ok := c.get(key); ok {
			return e.val, e.err
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		v, err := fn(fctx)
		if cacheable(err) {
			c.put(key, v, err)
		}
		return v, err
	})
	select {
	case res := <-ch:
		v, _ := res.Val.(T)
		return v, res.Err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
