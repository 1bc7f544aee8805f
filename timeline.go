package railyard

import "time"

// Timeline is a Warehouse's Freight, newest first, as its Pipeline keeps
// it. Its methods decide; the Pipeline workflow only calls them.
type Timeline []Freight

// Find returns the index of the Freight that s names (ID, short ID or
// alias), or -1.
func (t Timeline) Find(s string) int {
	for i, f := range t {
		if f.Matches(s) {
			return i
		}
	}
	return -1
}

// SoakWait is the shortest time until a Freight verified in one of req's
// upstream stages has soaked there; 0 when none is soaking.
func (t Timeline) SoakWait(req FreightRequest, now time.Time) time.Duration {
	soak := req.Sources.RequiredSoakTime.Duration()
	var best time.Duration
	for _, f := range t {
		for _, up := range req.Sources.Stages {
			if d := f.Status.SoakRemaining(up, soak, now); d > 0 && (best == 0 || d < best) {
				best = d
			}
		}
	}
	return best
}

// AutoPromotion decides what a Pipeline asks of r's stage now: the Freight
// to request (ask false: nothing), and how long until a soak upstream ends
// and it should decide again (0: nothing to wait for). A stage that does
// not auto-promote, is control flow or is held gets nothing and no wait;
// the candidate is not asked for again once requested (requested is the
// Freight last asked of the stage) or once the stage holds it.
func (t Timeline) AutoPromotion(r RouteStage, holds Holds, requested string, now time.Time) (f Freight, ask bool, wait time.Duration) {
	if !r.AutoPromote || r.ControlFlow {
		return Freight{}, false, 0
	}
	if _, held := holds[r.Stage]; held {
		return Freight{}, false, 0
	}
	wait = t.SoakWait(r.Request, now)
	f, ok := AutoPromotionCandidate(t, r.Stage, r.Request, now)
	if !ok || requested == f.ID {
		return Freight{}, false, wait
	}
	if _, in := f.Status.CurrentlyIn[r.Stage]; in {
		return Freight{}, false, wait
	}
	return f, true, wait
}

// PassControlFlow marks the Freight available to r's stage as verified
// there when it is a control-flow stage: such stages hold nothing and pass
// everything on.
func (t Timeline) PassControlFlow(r RouteStage, now time.Time) {
	if !r.ControlFlow {
		return
	}
	for i := range t {
		st := &t[i].Status
		if _, done := st.VerifiedIn[r.Stage]; !done && st.AvailableTo(r.Stage, r.Request, now) {
			st.Verify(r.Stage, now)
		}
	}
}
