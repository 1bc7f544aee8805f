package webhook

import (
	"sync"
	"time"
)

// coalescer runs a key's function at once, then at most once per window: a
// call inside the window schedules one trailing run at its end, so the last
// event of a burst is never lost and a burst costs two runs.
type coalescer struct {
	mu      sync.Mutex
	last    map[string]time.Time
	pending map[string]*time.Timer
}

func (c *coalescer) do(key string, window time.Duration, fn func()) {
	c.mu.Lock()
	if c.last == nil {
		c.last, c.pending = map[string]time.Time{}, map[string]*time.Timer{}
	}
	now := time.Now()
	if _, waiting := c.pending[key]; waiting {
		c.mu.Unlock()
		return
	}
	if wait := window - now.Sub(c.last[key]); wait > 0 {
		c.pending[key] = time.AfterFunc(wait, func() {
			c.mu.Lock()
			delete(c.pending, key)
			c.last[key] = time.Now()
			c.mu.Unlock()
			fn()
		})
		c.mu.Unlock()
		return
	}
	c.last[key] = now
	c.mu.Unlock()
	fn()
}

func (c *coalescer) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, t := range c.pending {
		t.Stop()
		delete(c.pending, k)
	}
}
