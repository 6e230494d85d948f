package checks

// reset empties the cache (for the cold-cache benchmark).
func (c *verdictCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.m)
}
