package railyard

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

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

// Add puts f first in the timeline as new Freight of warehouse,
// discovered at now: its ID computed (before its origin is defaulted), its
// origin the warehouse unless set, its status empty, and its alias kept
// unless empty or taken, in which case one is generated. When the same
// artifacts were minted before, the timeline is unchanged and added is
// false; f has its ID either way.
func (t Timeline) Add(f Freight, warehouse string, now time.Time) (_ Timeline, _ Freight, added bool) {
	f.ID = f.ComputeID()
	if f.Origin.Name == "" {
		f.Origin = WarehouseOrigin(warehouse)
	}
	if t.Find(f.ID) >= 0 {
		return t, f, false
	}
	if f.Alias == "" || t.AliasTaken(f.Alias) {
		f.Alias = GenerateAlias(warehouse+"/"+f.ID, t.AliasTaken)
	}
	f.DiscoveredAt = now
	f.Status = FreightStatus{}
	return append(Timeline{f}, t...), f, true
}

// Trim bounds the timeline to its max newest Freight, keeping older
// Freight that a stage holds or was approved for.
func (t Timeline) Trim(max int) Timeline {
	if len(t) <= max {
		return t
	}
	kept := t[:0]
	for i, f := range t {
		if i < max || len(f.Status.CurrentlyIn) > 0 || len(f.Status.ApprovedFor) > 0 {
			kept = append(kept, f)
		}
	}
	return kept
}

// AliasTaken reports whether a Freight of the timeline has alias a.
func (t Timeline) AliasTaken(a string) bool {
	return slices.ContainsFunc(t, func(f Freight) bool { return f.Alias == a })
}

// CheckAlias refuses an alias that is no valid alias or that a Freight of
// the timeline has.
func (t Timeline) CheckAlias(a string) error {
	if err := ValidAlias(a); err != nil {
		return err
	}
	if t.AliasTaken(a) {
		return fmt.Errorf("alias %q is taken", a)
	}
	return nil
}

// StageChanged records that stage now holds collection c from at: its
// Freight entered the stage (verified there when verified), the rest left.
func (t Timeline) StageChanged(stage string, c Collection, verified bool, at time.Time) {
	for i := range t {
		st := &t[i].Status
		if !c.Has(t[i].ID) {
			st.LeaveStage(stage, at)
			continue
		}
		st.EnterStage(stage, at)
		if verified {
			st.Verify(stage, at)
		}
	}
}

// TakeAliases gives Freight the aliases a promotion set (Freight ID →
// alias), in ID order; an invalid alias, or one taken, is ignored (the
// set-freight-alias step refuses those; an old or forged event may not).
func (t Timeline) TakeAliases(aliases map[string]string) {
	for _, id := range slices.Sorted(maps.Keys(aliases)) {
		alias := aliases[id]
		if ValidAlias(alias) != nil {
			continue
		}
		if i := t.Find(id); i >= 0 && !t.AliasTaken(alias) {
			t[i].Alias = alias
		}
	}
}

// ApplyMetadata applies the Freight metadata updates to the timeline's
// Freight they name by ID; others are ignored.
func (t Timeline) ApplyMetadata(updates []MetadataUpdate) {
	for _, u := range updates {
		if i := t.Find(u.Name); i >= 0 && u.Kind == MetadataKindFreight {
			st := &t[i].Status
			st.Metadata = st.Metadata.WithUpdates(u.Kind, t[i].ID, []MetadataUpdate{u})
		}
	}
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
