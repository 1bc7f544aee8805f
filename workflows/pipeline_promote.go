package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

const autoActor = "railyard (auto-promotion)"

func (p *pipeline) route(stage string) (railyard.RouteStage, error) {
	if p.Config == nil {
		return railyard.RouteStage{}, errors.New("pipeline is not configured yet")
	}
	return p.Config.Route.Stage(stage, p.Warehouse)
}

func (p *pipeline) freight(s string) (railyard.Freight, error) {
	if s == "" {
		return railyard.Freight{}, errors.New("no freight given")
	}
	if i := p.Freight.Find(s); i >= 0 {
		return p.Freight[i], nil
	}
	return railyard.Freight{}, fmt.Errorf("freight %q not found in warehouse %q", s, p.Warehouse)
}

func (p *pipeline) validatePromote(ctx workflow.Context, req PromoteRequest) error {
	r, err := p.route(req.Stage)
	if err != nil {
		return err
	}
	if r.ControlFlow {
		return fmt.Errorf("stage %q is a control-flow stage: it has no promotion steps", req.Stage)
	}
	f, err := p.freight(req.Freight)
	if err != nil {
		return err
	}
	if !f.Status.AvailableTo(req.Stage, r.Request, workflow.Now(ctx)) {
		return fmt.Errorf("freight %s is not available to stage %s: %s", f.DisplayName(), req.Stage, railyard.UnavailableReason(r.Request))
	}
	return nil
}

// promote asks the stage to promote Freight for a user; promoting anything
// but the auto-promotion candidate holds auto-promotion for this stage.
func (p *pipeline) promote(ctx workflow.Context, req PromoteRequest) (PromoteResult, error) {
	r, _ := p.route(req.Stage)
	f, _ := p.freight(req.Freight)
	actor := req.Actor
	if actor == "" {
		actor = "unknown"
	}
	p.Seq++
	name := railyard.PromotionName(r.Stage, workflow.Now(ctx), p.Seq, f.ID)
	if err := p.request(ctx, r.Stage, railyard.PromotionRequest{Name: name, Targets: []railyard.FreightRef{f.Ref()},
		Actor: actor}); err != nil {
		return PromoteResult{}, err
	}
	candidate, _ := railyard.AutoPromotionCandidate(p.Freight, r.Stage, r.Request, workflow.Now(ctx))
	p.Holds = p.Holds.AfterManual(r, railyard.Hold{Freight: f.ID, Promotion: name, Actor: actor,
		CreatedAt: workflow.Now(ctx)}, candidate.ID)
	return PromoteResult{Promotion: name, WorkflowID: railyard.PromotionWorkflowID(p.Project, r.Stage, name),
		Freight: f.ID}, nil
}

// request sends a promotion request to the stage, the promotions' only
// owner, and remembers what this pipeline last asked of it.
func (p *pipeline) request(ctx workflow.Context, stage string, r railyard.PromotionRequest) error {
	id := railyard.StageWorkflowID(p.Project, stage)
	if err := workflow.SignalExternalWorkflow(ctx, id, "", SignalRequest, r).Get(ctx, nil); err != nil {
		return fmt.Errorf("asking stage %s to promote: %w", stage, err)
	}
	if p.Requested == nil {
		p.Requested = map[string]string{}
	}
	p.Requested[stage] = r.Targets[0].ID
	p.dirty = true
	return nil
}

func (p *pipeline) validateApprove(ctx workflow.Context, req ApproveRequest) error {
	if _, err := p.route(req.Stage); err != nil {
		return err
	}
	_, err := p.freight(req.Freight)
	return err
}

func (p *pipeline) approve(ctx workflow.Context, req ApproveRequest) error {
	i := p.Freight.Find(req.Freight)
	p.Freight[i].Status.Approve(req.Stage, workflow.Now(ctx))
	p.dirty = true
	return nil
}

// retryRequest is how soon a request a stage could not take is sent again
// (its workflow may be starting).
const retryRequest = 5 * time.Second

// autoPromote asks, per auto-promoting stage, for the newest available
// Freight, once per candidate: the stage owns what happens next. It returns
// how long until it should look again (a soak ends, or a stage could not be
// reached); 0 means nothing to wait for.
func (p *pipeline) autoPromote(ctx workflow.Context) time.Duration {
	now := workflow.Now(ctx)
	var soonest time.Duration
	sooner := func(d time.Duration) {
		if d > 0 && (soonest == 0 || d < soonest) {
			soonest = d
		}
	}
	for _, r := range p.Config.Route {
		f, ask, wait := p.Freight.AutoPromotion(r, p.Holds, p.Requested[r.Stage], now)
		sooner(wait)
		if !ask {
			continue
		}
		req := railyard.PromotionRequest{Targets: []railyard.FreightRef{f.Ref()}, Auto: true, Actor: autoActor}
		if err := p.request(ctx, r.Stage, req); err != nil {
			workflow.GetLogger(ctx).Warn("auto-promotion not requested", "stage", r.Stage, "error", err)
			sooner(retryRequest)
		}
	}
	return soonest
}
