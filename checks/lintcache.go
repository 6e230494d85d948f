package checks

import (
	"container/list"
	"crypto/sha256"
	"sync"

	"github.com/rhysd/actionlint"
)

// lintCache keeps actionlint's verdicts by file content. The verdict
// depends on the bytes alone, and the App rescans the same workflows on
// every push, pull request and check-suite event, so a workflow is
// parsed by actionlint once per process while it does not change.
// Entries are keyed by a SHA-256 of the content: a cached verdict can
// only be read by someone holding the same bytes.
var lintCache = newVerdictCache(4096)

type verdictCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of [32]byte, most recent first
	m     map[[32]byte]*verdict
}

type verdict struct {
	errs []*actionlint.Error
	at   *list.Element
}

func newVerdictCache(max int) *verdictCache {
	return &verdictCache{max: max, order: list.New(), m: map[[32]byte]*verdict{}}
}

// errors returns actionlint's errors for src, computing them on a miss.
func (c *verdictCache) errors(src []byte) []*actionlint.Error {
	key := sha256.Sum256(src)
	c.mu.Lock()
	if v, ok := c.m[key]; ok {
		c.order.MoveToFront(v.at)
		c.mu.Unlock()
		return v.errs
	}
	c.mu.Unlock()
	errs := actionlintErrors(src) // outside the lock: other scans go on
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok {
		c.m[key] = &verdict{errs: errs, at: c.order.PushFront(key)}
		for c.order.Len() > c.max {
			old := c.order.Remove(c.order.Back()).([32]byte)
			delete(c.m, old)
		}
	}
	return errs
}
