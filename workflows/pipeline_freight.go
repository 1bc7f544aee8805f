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
// before, giving it an alias unique in the timeline.
func (p *pipeline) addFreight(ctx workflow.Context, f railyard.Freight, how string) {
	f.ID = f.ComputeID()
	if f.Origin.Name == "" {
		f.Origin = railyard.WarehouseOrigin(p.Warehouse)
	}
	if p.findFreight(f.ID) >= 0 {
		p.Discovery.Message = fmt.Sprintf("newest artifacts are Freight %s, which exists", f.ShortID())
		return
	}
	if f.Alias == "" || p.aliasTaken(f.Alias) {
		f.Alias = railyard.GenerateAlias(p.Warehouse+"/"+f.ID, p.aliasTaken)
	}
	f.DiscoveredAt = workflow.Now(ctx)
	f.Status = railyard.FreightStatus{}
	p.Freight = append([]railyard.Freight{f}, p.Freight...)
	p.Discovery.Message = fmt.Sprintf("created Freight %s (%s) by %s", f.Alias, f.ShortID(), how)
	p.Discovery.LastFreight = f.ID
	p.dirty = true
	p.trim()
	workflow.GetLogger(ctx).Info("freight created", "freight", f.ID, "alias", f.Alias, "by", how)
}

func (p *pipeline) findFreight(s string) int {
	for i, f := range p.Freight {
		if f.Matches(s) {
			return i
		}
	}
	return -1
}

func (p *pipeline) aliasTaken(a string) bool {
	for _, f := range p.Freight {
		if f.Alias == a {
			return true
		}
	}
	return false
}

// trim bounds the timeline, never dropping Freight a stage holds or was
// approved for.
func (p *pipeline) trim() {
	if len(p.Freight) <= maxFreight {
		return
	}
	kept := p.Freight[:0]
	for i, f := range p.Freight {
		if i < maxFreight || len(f.Status.CurrentlyIn) > 0 || len(f.Status.ApprovedFor) > 0 {
			kept = append(kept, f)
		}
	}
	p.Freight = kept
}

// stageEvent updates where this origin's Freight is after a stage changed,
// and takes the aliases and metadata a promotion set.
func (p *pipeline) stageEvent(ev StageEvent) {
	for i := range p.Freight {
		f := &p.Freight[i]
		if ev.Collection.Has(f.ID) {
			f.Status.EnterStage(ev.Stage, ev.At)
			if ev.Verified {
				f.Status.Verify(ev.Stage, ev.At)
			}
		} else {
			f.Status.LeaveStage(ev.Stage, ev.At)
		}
	}
	for _, id := range workflow.DeterministicKeys(ev.Aliases) {
		alias := ev.Aliases[id]
		if railyard.ValidAlias(alias) != nil {
			continue // the set-freight-alias step refuses it; an old or forged event may not
		}
		if i := p.findFreight(id); i >= 0 && !p.aliasTaken(alias) {
			p.Freight[i].Alias = alias
		}
	}
	for _, u := range ev.Metadata {
		if i := p.findFreight(u.Name); i >= 0 && u.Kind == railyard.MetadataKindFreight {
			st := &p.Freight[i].Status
			st.Metadata = st.Metadata.WithUpdates(u.Kind, p.Freight[i].ID, []railyard.MetadataUpdate{u})
		}
	}
	p.dirty = true
}

// passControlFlow marks Freight available to a control-flow stage as
// verified there, as such stages hold nothing and pass everything on.
func (p *pipeline) passControlFlow(ctx workflow.Context) {
	for _, r := range p.Config.Route {
		p.Freight.PassControlFlow(r, workflow.Now(ctx))
	}
}
