package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// UpstreamEvent tells a downstream stage what an upstream stage holds and
// whether that collection was verified.
type UpstreamEvent struct {
	Stage      string              `json:"stage"`
	Collection railyard.Collection `json:"collection"`
	Verified   bool                `json:"verified"`
	At         time.Time           `json:"at"`
}

// UpstreamView is what a stage knows of one upstream stage.
type UpstreamView struct {
	Current         railyard.Collection `json:"current"`
	CurrentVerified bool                `json:"currentVerified"`
	// Verified are the combinations verified there, newest first: origin →
	// Freight ID.
	Verified []railyard.Combination `json:"verified,omitempty"`
}

// PromoteCollectionRequest promotes every slot of an upstream stage into
// this one, in one promotion and one verification.
type PromoteCollectionRequest struct {
	From  string `json:"from"`
	Actor string `json:"actor,omitempty"`
}

func (s *stage) upstreamEvent(ev UpstreamEvent) {
	if s.Upstream == nil {
		s.Upstream = map[string]UpstreamView{}
	}
	v := s.Upstream[ev.Stage]
	v.Current, v.CurrentVerified = ev.Collection, ev.Verified
	if ev.Verified {
		v.Verified = railyard.RememberVerified(v.Verified, ev.Collection)
	}
	s.Upstream[ev.Stage] = v
	s.dirty = true
}

// upstreams lists the stages this stage takes Freight from, in order.
func (s *stage) upstreams() []string { return s.Config.Stage.Spec.Upstreams() }

// verified is what each upstream stage has verified.
func (s *stage) verified() map[string][]railyard.Combination {
	out := make(map[string][]railyard.Combination, len(s.Upstream))
	for _, u := range workflow.DeterministicKeys(s.Upstream) {
		out[u] = s.Upstream[u].Verified
	}
	return out
}

func (s *stage) verifiedUpstream(c railyard.Collection) []string {
	return railyard.VerifiedUpstream(c, s.upstreams(), s.verified())
}

func (s *stage) provenance(c railyard.Collection) ([]string, string) {
	return railyard.Provenance(c, s.upstreams(), s.verified())
}

// needsVerifiedCombination reports whether an auto-promotion must wait
// because a slot it changes requires verified combinations and the
// resulting collection was not verified upstream.
func (s *stage) needsVerifiedCombination(r railyard.PromotionRequest, c railyard.Collection) bool {
	if !r.Auto || len(s.upstreams()) == 0 {
		return false
	}
	for _, t := range r.Targets {
		if req, ok := s.Config.Stage.Spec.Request(t.Origin); ok && req.Sources.RequireVerifiedCombination {
			return len(s.verifiedUpstream(c)) == 0
		}
	}
	return false
}

// supersededUpstream reports whether a waiting promotion's Freight is no
// longer held by any upstream stage, so the combination it waits for can
// never be verified.
func (s *stage) supersededUpstream(r railyard.PromotionRequest) bool {
	for _, t := range r.Targets {
		held := false
		for _, u := range s.upstreams() {
			held = held || s.Upstream[u].Current.Has(t.ID)
		}
		if !held {
			return true
		}
	}
	return false
}

func (s *stage) validatePromoteCollection(ctx workflow.Context, req PromoteCollectionRequest) error {
	if s.Config == nil {
		return fmt.Errorf("stage %s is not configured yet", s.Stage)
	}
	if s.Config.Stage.Spec.IsControlFlow() {
		return fmt.Errorf("stage %s is a control-flow stage: it has no promotion steps", s.Stage)
	}
	if !slices.Contains(s.upstreams(), req.From) {
		return fmt.Errorf("stage %s does not take Freight from stage %q (upstream: %s)", s.Stage, req.From,
			strings.Join(s.upstreams(), ", "))
	}
	up := s.Upstream[req.From]
	if len(up.Current.Keep(s.requested()).Items) == 0 {
		return fmt.Errorf("stage %s holds no Freight that %s requests", req.From, s.Stage)
	}
	if !up.CurrentVerified {
		return fmt.Errorf("the collection in %s (%s) is not verified", req.From, up.Current.Summary())
	}
	return nil
}

// promoteCollection queues one promotion that moves every slot of the
// upstream stage into this one.
func (s *stage) promoteCollection(ctx workflow.Context, req PromoteCollectionRequest) (PromoteResult, error) {
	c := s.Upstream[req.From].Current.Keep(s.requested())
	r := railyard.PromotionRequest{Targets: c.Refs(), Actor: req.Actor, From: req.From}
	if err := s.request(ctx, r); err != nil {
		return PromoteResult{}, err
	}
	q := s.Queue.Pending[len(s.Queue.Pending)-1]
	return PromoteResult{Promotion: q.Name, WorkflowID: railyard.PromotionWorkflowID(s.Project, s.Stage, q.Name),
		Freight: c.ID}, nil
}

// requested lists the origins of the stage's slots, in order.
func (s *stage) requested() []railyard.FreightOrigin { return s.Config.Stage.Spec.Origins() }
