package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// discover runs one discovery cycle and mints Freight from its best
// candidates. Errors are recorded; the Freight already minted stays.
func (p *pipeline) discover(ctx workflow.Context) {
	p.RefreshRequested = false
	spec := p.Config.Warehouse.Spec
	in := activities.DiscoverInput{Project: p.Project, Warehouse: p.Warehouse, Spec: spec, Previous: p.Discovered}
	summary := fmt.Sprintf("discover %s (%d subscriptions)", p.Warehouse, len(spec.Subscriptions))
	var out activities.DiscoverOutput
	var a *activities.Activities
	err := workflow.ExecuteActivity(discoveryOptions(ctx, summary), a.Discover, in).Get(ctx, &out)
	p.Discovery.LastAttempt = workflow.Now(ctx)
	p.Discovery.Cycles++
	if err != nil {
		p.Discovery.Error = errorMessage(err)
		return
	}
	p.Discovered = &out.Artifacts
	p.Discovery.Error, p.Discovery.LastSuccess = "", workflow.Now(ctx)
	switch {
	case spec.ManualFreightOnly():
		p.Discovery.Message = "freightCreationPolicy is Manual: artifacts discovered, no Freight created"
	case !out.CriteriaSatisfied:
		p.Discovery.Message = out.CriteriaMessage
	default:
		f, err := out.Artifacts.NewestFreight(railyard.WarehouseOrigin(p.Warehouse))
		if err != nil {
			p.Discovery.Message = err.Error()
			return
		}
		p.addFreight(ctx, f, "discovery")
	}
}

// addFreight adds f to the timeline unless the same artifacts were minted
// before, giving it an alias unique in the timeline, and bounds the
// timeline.
func (p *pipeline) addFreight(ctx workflow.Context, f railyard.Freight, how string) {
	t, f, added := p.Freight.Add(f, p.Warehouse, workflow.Now(ctx))
	if !added {
		p.Discovery.Message = fmt.Sprintf("newest artifacts are Freight %s, which exists", f.ShortID())
		return
	}
	p.Freight = t.Trim(maxFreight)
	p.Discovery.Message = fmt.Sprintf("created Freight %s (%s) by %s", f.Alias, f.ShortID(), how)
	p.Discovery.LastFreight = f.ID
	p.dirty = true
	workflow.GetLogger(ctx).Info("freight created", "freight", f.ID, "alias", f.Alias, "by", how)
}

// stageEvent updates where this origin's Freight is after a stage changed,
// and takes the aliases and metadata a promotion set.
func (p *pipeline) stageEvent(ev StageEvent) {
	p.Freight.StageChanged(ev.Stage, ev.Collection, ev.Verified, ev.At)
	p.Freight.TakeAliases(ev.Aliases)
	p.Freight.ApplyMetadata(ev.Metadata)
	p.dirty = true
}

// passControlFlow marks Freight available to a control-flow stage as
// verified there, as such stages hold nothing and pass everything on.
func (p *pipeline) passControlFlow(ctx workflow.Context) {
	for _, r := range p.Config.Route {
		p.Freight.PassControlFlow(r, workflow.Now(ctx))
	}
}
