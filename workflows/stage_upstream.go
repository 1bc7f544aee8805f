package workflows

import (
	"fmt"
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

// PromoteCollectionRequest promotes every slot of an upstream stage into
// this one, in one promotion and one verification.
type PromoteCollectionRequest struct {
	From  string `json:"from"`
	Actor string `json:"actor,omitempty"`
}

func (s *stage) upstreamEvent(ev UpstreamEvent) {
	s.Upstream = s.Upstream.Saw(ev.Stage, ev.Collection, ev.Verified)
	s.dirty = true
}

func (s *stage) provenance(c railyard.Collection) ([]string, string) {
	return railyard.Provenance(c, s.Config.Stage.Spec.Upstreams(), s.Upstream.Verified())
}

func (s *stage) validatePromoteCollection(ctx workflow.Context, req PromoteCollectionRequest) error {
	if s.Config == nil {
		return fmt.Errorf("stage %s is not configured yet", s.Stage)
	}
	_, err := s.Upstream.Take(s.Stage, s.Config.Stage.Spec, req.From)
	return err
}

// promoteCollection queues one promotion that moves every slot of the
// upstream stage into this one.
func (s *stage) promoteCollection(ctx workflow.Context, req PromoteCollectionRequest) (PromoteResult, error) {
	c, err := s.Upstream.Take(s.Stage, s.Config.Stage.Spec, req.From)
	if err != nil {
		return PromoteResult{}, err // the validator refused it already
	}
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
