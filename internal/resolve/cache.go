package resolve

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// repoID names a repository in the cache: scope is "" for entries every
// scope shares (public repositories, unscoped resolvers), the scope of
// the credential otherwise. name is owner/repo in lower case.
type repoID struct {
	scope, name string
}

// key is one cached answer: a kind of lookup ("pin", "tags", …), the
// repository it is about and the lookup's argument (ref, SHA, branch).
// Keys are compared field by field, never as composed strings, so no
// scope, repository or argument can be mistaken for part of another.
type key struct {
	kind string
	repo repoID
	arg  string
}

// flight is the singleflight name of a key; %q quotes every field, so two
// different keys never share a name.
func (k key) flight() string { return fmt.Sprintf("%q", k) }

// cache memoises lookups process-wide. Successful answers and definite
// negatives (ErrNotFound, ErrUnreachable) are kept for ttl; transient
// failures (network, 5xx, rate limits) are not, so a later call retries.
// Concurrent callers of the same key share one request.
type cache struct {
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time

	mu    sync.Mutex
	m     map[key]entry
	group singleflight.Group
}

type entry struct {
	val     any
	err     error
	expires time.Time
}

func newCache(ttl, timeout time.Duration) *cache {
	return &cache{ttl: ttl, timeout: timeout, now: time.Now, m: map[key]entry{}}
}

func (c *cache) get(k key) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return entry{}, false
	}
	if c.ttl > 0 && c.now().After(e.expires) {
		delete(c.m, k)
		return entry{}, false
	}
	return e, true
}

func (c *cache) put(k key, val any, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = entry{val: val, err: err, expires: c.now().Add(c.ttl)}
}

// cacheable reports whether err is a stable answer rather than a failure.
func cacheable(err error) bool {
	return err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnreachable)
}

// promote copies every entry about repository from to the same lookup
// about to, keeping entries to already has.
func (c *cache) promote(from, to repoID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if k.repo != from {
			continue
		}
		shared := k
		shared.repo = to
		if _, ok := c.m[shared]; !ok {
			c.m[shared] = e
		}
	}
}

// cached returns the memoised result for k, or runs fn once for every
// concurrent caller. fn runs detached from the first caller's cancellation
// (bounded by the cache timeout) so that one caller giving up does not fail
// the others; each caller still stops waiting when its own ctx ends.
func cached[T any](ctx context.Context, c *cache, k key, fn func(context.Context) (T, error)) (T, error) {
	if e, ok := c.get(k); ok {
		v, _ := e.val.(T)
		return v, e.err
	}
	ch := c.group.DoChan(k.flight(), func() (any, error) {
		if e, ok := c.get(k); ok {
			return e.val, e.err
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		v, err := fn(fctx)
		if cacheable(err) {
			c.put(k, v, err)
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
