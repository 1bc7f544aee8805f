package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

const autoActor = "railyard (auto-promotion)"

func (p *pipeline) route(stage string) (RouteStage, error) {
	if p.Config == nil {
		return RouteStage{}, errors.New("pipeline is not configured yet")
	}
	var names []string
	for _, r := range p.Config.Route {
		if r.Stage == stage {
			return r, nil
		}
		names = append(names, r.Stage)
	}
	return RouteStage{}, fmt.Errorf("stage %q does not request Freight from warehouse %q (stages that do: %s)",
		stage, p.Warehouse, strings.Join(names, ", "))
}

func (p *pipeline) freight(s string) (railyard.Freight, error) {
	if s == "" {
		return railyard.Freight{}, errors.New("no freight given")
	}
	if i := p.findFreight(s); i >= 0 {
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
		return fmt.Errorf("freight %s is not available to stage %s: %s", f.DisplayName(), req.Stage, unavailableReason(r.Request))
	}
	return nil
}

func unavailableReason(req railyard.FreightRequest) string {
	s := "not verified in upstream stage " + strings.Join(req.Sources.Stages, " or ")
	if req.Sources.AvailabilityStrategy == railyard.AvailableAll {
		s = "not verified in every upstream stage (" + strings.Join(req.Sources.Stages, ", ") + ")"
	}
	if req.Sources.RequiredSoakTime != "" {
		s += " for " + string(req.Sources.RequiredSoakTime)
	}
	return s + ", and not approved for it"
}

// promote starts a promotion requested by a user; promoting anything but the
// auto-promotion candidate holds auto-promotion for this stage.
func (p *pipeline) promote(ctx workflow.Context, req PromoteRequest) (PromoteResult, error) {
	r, _ := p.route(req.Stage)
	f, _ := p.freight(req.Freight)
	actor := req.Actor
	if actor == "" {
		actor = "unknown"
	}
	res, err := p.startPromotion(ctx, r, f, actor)
	if err != nil {
		return res, err
	}
	if cand, ok := railyard.AutoPromotionCandidate(p.Freight, r.Stage, r.Request, workflow.Now(ctx)); ok && r.AutoPromote {
		if cand.ID == f.ID {
			delete(p.Holds, r.Stage)
		} else {
			if p.Holds == nil {
				p.Holds = map[string]Hold{}
			}
			p.Holds[r.Stage] = Hold{Freight: f.ID, Promotion: res.Promotion, Actor: actor, CreatedAt: workflow.Now(ctx)}
		}
	}
	return res, nil
}

func (p *pipeline) validateApprove(ctx workflow.Context, req ApproveRequest) error {
	if _, err := p.route(req.Stage); err != nil {
		return err
	}
	_, err := p.freight(req.Freight)
	return err
}

func (p *pipeline) approve(ctx workflow.Context, req ApproveRequest) error {
	i := p.findFreight(req.Freight)
	p.Freight[i].Status.Approve(req.Stage, workflow.Now(ctx))
	p.dirty = true
	return nil
}

// autoPromote starts, per auto-promoting stage, a promotion of the newest
// available Freight. It returns how long until a soaking Freight becomes
// available (0 when nothing soaks).
func (p *pipeline) autoPromote(ctx workflow.Context) time.Duration {
	now := workflow.Now(ctx)
	var soonest time.Duration
	for _, r := range p.Config.Route {
		if !r.AutoPromote || r.ControlFlow {
			continue
		}
		if _, held := p.Holds[r.Stage]; held || p.busy(r.Stage) {
			continue
		}
		if d := p.soakWait(r, now); d > 0 && (soonest == 0 || d < soonest) {
			soonest = d
		}
		f, ok := railyard.AutoPromotionCandidate(p.Freight, r.Stage, r.Request, now)
		if !ok {
			continue
		}
		if _, in := f.Status.CurrentlyIn[r.Stage]; in || p.lastFailed(r.Stage, f.ID) {
			continue
		}
		if _, err := p.startPromotion(ctx, r, f, autoActor); err != nil {
			workflow.GetLogger(ctx).Error("auto-promotion not started", "stage", r.Stage, "error", err)
		}
	}
	return soonest
}

// soakWait is the shortest time until a Freight verified upstream has soaked.
func (p *pipeline) soakWait(r RouteStage, now time.Time) time.Duration {
	soak := r.Request.Sources.RequiredSoakTime.Duration()
	var best time.Duration
	for _, f := range p.Freight {
		for _, up := range r.Request.Sources.Stages {
			if d := f.Status.SoakRemaining(up, soak, now); d > 0 && (best == 0 || d < best) {
				best = d
			}
		}
	}
	return best
}

// busy reports whether a promotion this pipeline started for stage is still
// running or queued, or succeeded but the stage has not reported it yet.
func (p *pipeline) busy(stage string) bool {
	for _, pr := range p.Promotions {
		if pr.Stage == stage && (pr.FinishedAt.IsZero() || (pr.Phase == PhaseSucceeded && !pr.Recorded)) {
			return true
		}
	}
	return false
}

// lastFailed reports whether the newest promotion of freight to stage did
// not succeed: auto-promotion does not retry it (no retry loops), unless
// the stage's collection changed since — a promotion that failed for want
// of another slot's Freight may well succeed now.
func (p *pipeline) lastFailed(stage, freight string) bool {
	for _, pr := range p.Promotions {
		if pr.Stage == stage && len(pr.Freight) > 0 && pr.Freight[0] == freight {
			return pr.Phase != PhaseSucceeded && !p.StageSeen[stage].After(pr.FinishedAt)
		}
	}
	return false
}

func (p *pipeline) dropStaleHolds() {
	for _, stage := range workflow.DeterministicKeys(p.Holds) {
		if r, err := p.route(stage); err != nil || !r.AutoPromote {
			delete(p.Holds, stage)
		}
	}
}

// startPromotion starts a Promotion child workflow and waits until it runs.
func (p *pipeline) startPromotion(ctx workflow.Context, r RouteStage, f railyard.Freight, actor string) (PromoteResult, error) {
	p.Seq++
	now := workflow.Now(ctx)
	name := railyard.PromotionName(r.Stage, now, p.Seq, f.ID)
	id := railyard.PromotionWorkflowID(p.Project, r.Stage, name)
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:        id,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     fmt.Sprintf("promote %s (%s) to %s", f.DisplayName(), p.Warehouse, r.Stage),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrProject).ValueSet(p.Project),
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrStage).ValueSet(r.Stage),
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrWarehouse).ValueSet(p.Warehouse),
			temporal.NewSearchAttributeKeyKeyword(railyard.SearchAttrFreight).ValueSet(f.ID)),
	}
	in := PromotionInput{Project: p.Project, Stage: r.Stage, Name: name, Actor: actor,
		Targets: []railyard.FreightRef{f.Ref()}, Parent: workflow.GetInfo(ctx).WorkflowExecution.ID}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), Promotion, in)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return PromoteResult{}, fmt.Errorf("starting promotion %s: %w", name, err)
	}
	p.Promotions = append([]PromotionRecord{{Name: name, WorkflowID: id, Stage: r.Stage,
		Freight: []string{f.ID}, Actor: actor, Phase: PhasePending, StartedAt: now}}, p.Promotions...)
	if len(p.Promotions) > maxPromotions {
		p.Promotions = p.Promotions[:maxPromotions]
	}
	p.dirty = true
	return PromoteResult{Promotion: name, WorkflowID: id, Freight: f.ID}, nil
}
