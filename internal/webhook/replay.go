package webhook

import (
	"sync"
	"time"
)

// maxDeliveries bounds the memory of delivery IDs; the oldest go first.
const maxDeliveries = 100_000

// replays remembers the delivery IDs seen within a window.
type replays struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	order []string
}

// first records key and reports whether it was not seen within window.
func (r *replays) first(key string, window time.Duration, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]time.Time{}
	}
	for len(r.order) > 0 && (len(r.order) >= maxDeliveries || now.Sub(r.seen[r.order[0]]) > window) {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	if at, ok := r.seen[key]; ok && now.Sub(at) <= window {
		return false
	}
	r.seen[key] = now
	r.order = append(r.order, key)
	return true
}
