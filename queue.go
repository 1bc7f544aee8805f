package railyard

import (
	"slices"
	"strings"
	"time"
)

// PromotionPhase is the phase of one promotion.
type PromotionPhase string

// Promotion phases, as Kargo names them.
const (
	PhasePending   PromotionPhase = "Pending"
	PhaseRunning   PromotionPhase = "Running"
	PhaseSucceeded PromotionPhase = "Succeeded"
	PhaseFailed    PromotionPhase = "Failed"
	PhaseErrored   PromotionPhase = "Errored"
	PhaseAborted   PromotionPhase = "Aborted"
)

// Terminal reports whether the phase is final.
func (p PromotionPhase) Terminal() bool {
	return p == PhaseSucceeded || p == PhaseFailed || p == PhaseErrored || p == PhaseAborted
}

// PromotionRequest asks a Stage to promote Freight into it. The Stage is the
// only owner of its promotions: it queues requests, merges them and starts
// them one at a time.
type PromotionRequest struct {
	// Name is the promotion's name when the requester chose it (a manual
	// request answers with it); the Stage names the others.
	Name    string       `json:"name,omitempty"`
	Targets []FreightRef `json:"targets"`
	// Auto marks an auto-promotion: the newest available Freight of its
	// origin. A newer auto request of the same origin replaces it.
	Auto  bool   `json:"auto,omitempty"`
	Actor string `json:"actor,omitempty"`
	// From is the upstream stage of a whole-collection promotion.
	From     string    `json:"from,omitempty"`
	QueuedAt time.Time `json:"queuedAt,omitzero"`
	// Waiting says why the request has not started (for display).
	Waiting string `json:"waiting,omitempty"`
	// WaitingFor lists origins (Warehouse names) whose empty slot made this
	// request's last promotion fail; it is retried when they are filled.
	WaitingFor []string `json:"waitingFor,omitempty"`
}

// Origins lists the origins the request changes.
func (r PromotionRequest) Origins() []string {
	out := make([]string, 0, len(r.Targets))
	for _, t := range r.Targets {
		out = append(out, t.Origin.String())
	}
	return out
}

func (r PromotionRequest) changes(origin string) bool {
	return slices.Contains(r.Origins(), origin)
}

// StageQueue holds a Stage's promotions that have not started: Pending in
// arrival order, and Parked auto-promotions whose last attempt failed.
type StageQueue struct {
	Pending []PromotionRequest `json:"pending,omitempty"`
	Parked  []PromotionRequest `json:"parked,omitempty"`
}

// Add queues a request and reports whether it was queued. An auto request
// for Freight the stage already holds, with nothing else pending for its
// origin, changes nothing. A request replaces the pending and parked
// auto-promotions of the origins it changes.
func (q *StageQueue) Add(r PromotionRequest, current Collection) bool {
	if r.Auto && len(r.Targets) == 1 {
		t := r.Targets[0]
		if held, ok := current.Get(t.Origin); ok && held.ID == t.ID && !q.has(t.Origin.String()) {
			return false
		}
		if p, ok := q.parked(t.Origin.String()); ok && p.Targets[0].ID == t.ID {
			return false // failed before with this collection; retried when it changes
		}
	}
	for _, o := range r.Origins() {
		q.Pending = slices.DeleteFunc(q.Pending, func(p PromotionRequest) bool { return p.Auto && p.changes(o) })
		q.Parked = slices.DeleteFunc(q.Parked, func(p PromotionRequest) bool { return p.changes(o) })
	}
	q.Pending = append(q.Pending, r)
	return true
}

func (q *StageQueue) has(origin string) bool {
	_, parked := q.parked(origin)
	return parked || slices.ContainsFunc(q.Pending, func(p PromotionRequest) bool { return p.changes(origin) })
}

func (q *StageQueue) parked(origin string) (PromotionRequest, bool) {
	for _, p := range q.Parked {
		if p.changes(origin) {
			return p, true
		}
	}
	return PromotionRequest{}, false
}

// Remove drops a request that has not started, by name.
func (q *StageQueue) Remove(name string) bool {
	n := len(q.Pending) + len(q.Parked)
	match := func(p PromotionRequest) bool { return p.Name == name }
	q.Pending = slices.DeleteFunc(q.Pending, match)
	q.Parked = slices.DeleteFunc(q.Parked, match)
	return len(q.Pending)+len(q.Parked) < n
}

// Gate decides whether a request may start now: ok, or why it waits, or
// why it is dropped for good.
type Gate func(r PromotionRequest) (waiting, drop string)

// Next takes the first pending request that may start and merges into it
// what should go with it: for an auto-promotion, every other pending
// auto-promotion and every parked one (several origins fill together); for
// a manual request, the parked auto-promotions waiting for an origin it
// fills. Requests the gate drops are returned so the caller can say so.
func (q *StageQueue) Next(gate Gate) (next PromotionRequest, ok bool, dropped []PromotionRequest) {
	for i := 0; i < len(q.Pending); i++ {
		r := q.Pending[i]
		waiting, drop := gate(r)
		switch {
		case drop != "":
			r.Waiting = drop
			dropped = append(dropped, r)
			q.Pending = slices.Delete(q.Pending, i, i+1)
			i--
			continue
		case waiting != "":
			q.Pending[i].Waiting = waiting
			continue
		}
		q.Pending = slices.Delete(q.Pending, i, i+1)
		r.Waiting = ""
		return q.merge(r, gate), true, dropped
	}
	return PromotionRequest{}, false, dropped
}

// merge folds the requests that should go with r, and that the gate lets
// pass, into it.
func (q *StageQueue) merge(r PromotionRequest, gate Gate) PromotionRequest {
	takes := func(p PromotionRequest) bool {
		if slices.ContainsFunc(p.Origins(), r.changes) {
			return false
		}
		if waiting, drop := gate(p); waiting != "" || drop != "" {
			return false
		}
		if r.Auto {
			return p.Auto
		}
		return slices.ContainsFunc(p.WaitingFor, func(w string) bool { return r.changes(WarehouseOrigin(w).String()) })
	}
	var rest []PromotionRequest
	for _, list := range []*[]PromotionRequest{&q.Pending, &q.Parked} {
		rest = rest[:0]
		for _, p := range *list {
			if takes(p) {
				r.Targets = append(r.Targets, p.Targets...)
				continue
			}
			rest = append(rest, p)
		}
		*list = slices.Clone(rest)
	}
	r.WaitingFor = nil
	return r
}

// Park keeps the auto-promotions of a failed promotion, one per origin, to
// retry when the stage's collection changes or, when waitingFor names
// origins with empty slots, when one of those is filled.
func (q *StageQueue) Park(r PromotionRequest, reason string, waitingFor []string) {
	if !r.Auto {
		return
	}
	for _, t := range r.Targets {
		p := PromotionRequest{Targets: []FreightRef{t}, Auto: true, Actor: r.Actor, QueuedAt: r.QueuedAt,
			Waiting: reason, WaitingFor: waitingFor}
		if len(waitingFor) > 0 {
			p.Waiting = "waiting for " + strings.Join(waitingFor, ", ")
		}
		q.Parked = append(q.Parked, p)
	}
}

// Retry moves parked requests back to pending after the collection
// changed, except those still waiting for a slot the change did not fill.
func (q *StageQueue) Retry(changed Collection) {
	var keep []PromotionRequest
	for _, p := range q.Parked {
		if len(p.WaitingFor) > 0 && !slices.ContainsFunc(p.WaitingFor, func(w string) bool {
			_, ok := changed.Get(WarehouseOrigin(w))
			return ok
		}) {
			keep = append(keep, p)
			continue
		}
		p.WaitingFor = nil
		q.Pending = append(q.Pending, p)
	}
	q.Parked = keep
}

// Waiting lists, once each, why requests have not started ("waiting for
// config"), pending first.
func (q StageQueue) Waiting() []string {
	var out []string
	for _, r := range append(slices.Clone(q.Pending), q.Parked...) {
		if r.Waiting != "" && !slices.Contains(out, r.Waiting) {
			out = append(out, r.Waiting)
		}
	}
	return out
}

// Len is the number of requests not started.
func (q StageQueue) Len() int { return len(q.Pending) + len(q.Parked) }

// GatherWindow is how long a first auto-promotion into a stage with empty
// slots waits for the other origins' first Freight, so that a first fill
// is one promotion and one commit.
const GatherWindow = 5 * time.Second

// GatherWait is how long the queue waits, from now, for other origins'
// Freight before promoting into empty slots: while only auto-promotions
// are pending and a requested slot is empty with nothing pending for it,
// until GatherWindow after the oldest request. Zero or less: go on.
func (q StageQueue) GatherWait(requested []FreightOrigin, current Collection, now time.Time) time.Duration {
	var oldest time.Time
	covered := map[string]bool{}
	for _, r := range q.Pending {
		if !r.Auto {
			return 0
		}
		if oldest.IsZero() || r.QueuedAt.Before(oldest) {
			oldest = r.QueuedAt
		}
		for _, o := range r.Origins() {
			covered[o] = true
		}
	}
	if oldest.IsZero() {
		return 0
	}
	for _, o := range requested {
		if _, held := current.Get(o); !held && !covered[o.String()] {
			return oldest.Add(GatherWindow).Sub(now)
		}
	}
	return 0
}
