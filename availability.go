package railyard

import (
	"sort"
	"strings"
	"time"
)

// FreightStatus records where a Freight is, where it was verified and where
// it was approved. Keys are stage names.
type FreightStatus struct {
	CurrentlyIn map[string]time.Time    `json:"currentlyIn,omitempty"` // stage → since
	VerifiedIn  map[string]VerifiedInfo `json:"verifiedIn,omitempty"`
	ApprovedFor map[string]time.Time    `json:"approvedFor,omitempty"`
	// Metadata is set by set-metadata steps (Kargo's status.metadata).
	Metadata Metadata `json:"metadata,omitempty"`
}

// VerifiedInfo is when a Freight was verified in a stage and the longest it
// has continuously stayed there since.
type VerifiedInfo struct {
	VerifiedAt  time.Time     `json:"verifiedAt"`
	LongestSoak time.Duration `json:"longestSoak,omitempty"`
}

// EnterStage records that the Freight entered stage at t.
func (s *FreightStatus) EnterStage(stage string, t time.Time) {
	if s.CurrentlyIn == nil {
		s.CurrentlyIn = map[string]time.Time{}
	}
	if _, ok := s.CurrentlyIn[stage]; !ok {
		s.CurrentlyIn[stage] = t
	}
}

// LeaveStage records that the Freight left stage at t, keeping its longest
// soak there if it was verified.
func (s *FreightStatus) LeaveStage(stage string, t time.Time) {
	since, ok := s.CurrentlyIn[stage]
	if !ok {
		return
	}
	delete(s.CurrentlyIn, stage)
	if v, ok := s.VerifiedIn[stage]; ok {
		if d := t.Sub(since); d > v.LongestSoak {
			v.LongestSoak = d
			s.VerifiedIn[stage] = v
		}
	}
}

// Verify records that the Freight was verified in stage at t. A later
// failed verification never removes it (as in Kargo).
func (s *FreightStatus) Verify(stage string, t time.Time) {
	if s.VerifiedIn == nil {
		s.VerifiedIn = map[string]VerifiedInfo{}
	}
	if _, ok := s.VerifiedIn[stage]; !ok {
		s.VerifiedIn[stage] = VerifiedInfo{VerifiedAt: t}
	}
}

// Approve makes the Freight available to stage regardless of verification.
func (s *FreightStatus) Approve(stage string, t time.Time) {
	if s.ApprovedFor == nil {
		s.ApprovedFor = map[string]time.Time{}
	}
	s.ApprovedFor[stage] = t
}

// SoakedIn reports whether the Freight is verified in stage and has stayed
// there at least required, counting a current stint up to now.
func (s FreightStatus) SoakedIn(stage string, required time.Duration, now time.Time) bool {
	v, ok := s.VerifiedIn[stage]
	if !ok {
		return false
	}
	if required <= 0 {
		return true
	}
	longest := v.LongestSoak
	if since, in := s.CurrentlyIn[stage]; in && now.Sub(since) > longest {
		longest = now.Sub(since)
	}
	return longest >= required
}

// SoakRemaining is how long until the Freight has soaked required in stage,
// or zero when it has or cannot (not verified, not there).
func (s FreightStatus) SoakRemaining(stage string, required time.Duration, now time.Time) time.Duration {
	v, ok := s.VerifiedIn[stage]
	since, in := s.CurrentlyIn[stage]
	if !ok || !in || required <= 0 {
		return 0
	}
	if v.LongestSoak >= required || now.Sub(since) >= required {
		return 0
	}
	return required - now.Sub(since)
}

// AvailableTo decides whether the Freight may be promoted to stage through
// request: approved for the stage, or the slot takes it directly, or it was
// verified (and soaked) in one / all of the upstream stages.
func (s FreightStatus) AvailableTo(stage string, req FreightRequest, now time.Time) bool {
	if _, ok := s.ApprovedFor[stage]; ok {
		return true
	}
	if req.Sources.Direct {
		return true
	}
	soak := req.Sources.RequiredSoakTime.Duration()
	all := req.Sources.AvailabilityStrategy == AvailableAll
	n := 0
	for _, up := range req.Sources.Stages {
		if s.SoakedIn(up, soak, now) {
			n++
		}
	}
	if all {
		return len(req.Sources.Stages) > 0 && n == len(req.Sources.Stages)
	}
	return n > 0
}

// UnavailableReason says why Freight that is not AvailableTo a stage
// through req is not: which upstream verification (and soak) it lacks.
func UnavailableReason(req FreightRequest) string {
	s := "not verified in upstream stage " + strings.Join(req.Sources.Stages, " or ")
	if req.Sources.AvailabilityStrategy == AvailableAll {
		s = "not verified in every upstream stage (" + strings.Join(req.Sources.Stages, ", ") + ")"
	}
	if req.Sources.RequiredSoakTime != "" {
		s += " for " + string(req.Sources.RequiredSoakTime)
	}
	return s + ", and not approved for it"
}

// NewestFirst sorts Freight newest first by discovery time, ties by ID
// descending, as Kargo orders candidates.
func NewestFirst(fs []Freight) {
	sort.SliceStable(fs, func(i, j int) bool {
		if !fs[i].DiscoveredAt.Equal(fs[j].DiscoveredAt) {
			return fs[i].DiscoveredAt.After(fs[j].DiscoveredAt)
		}
		return fs[i].ID > fs[j].ID
	})
}

// AutoPromotionCandidate picks the Freight to auto-promote to stage through
// req from timeline (newest first): the newest available one, or with
// MatchUpstream the one currently in the single upstream stage.
func AutoPromotionCandidate(timeline []Freight, stage string, req FreightRequest, now time.Time) (Freight, bool) {
	match := req.Sources.AutoPromotionOptions != nil &&
		req.Sources.AutoPromotionOptions.SelectionPolicy == SelectMatchUpstream
	var found []Freight
	for _, f := range timeline {
		if match {
			if _, in := f.Status.CurrentlyIn[req.Sources.Stages[0]]; in && f.Status.AvailableTo(stage, req, now) {
				found = append(found, f)
			}
			continue
		}
		if f.Status.AvailableTo(stage, req, now) {
			return f, true
		}
	}
	if len(found) == 1 { // transiently two: wait until upstream settles
		return found[0], true
	}
	return Freight{}, false
}
