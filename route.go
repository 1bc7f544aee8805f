package railyard

import (
	"fmt"
	"slices"
	"strings"
)

// RouteStage is one stage that requests a Warehouse's Freight: how it
// requests it, and whether it takes it by auto-promotion.
type RouteStage struct {
	Stage       string         `json:"stage"`
	Request     FreightRequest `json:"request"`
	AutoPromote bool           `json:"autoPromote"`
	ControlFlow bool           `json:"controlFlow,omitempty"`
}

// Route is every stage that requests a Warehouse's Freight, in the order
// of the project's stages.
type Route []RouteStage

// RouteOf derives the route of warehouse's Freight from the project's
// resources.
func RouteOf(r Resources, warehouse string) Route {
	var out Route
	origin := WarehouseOrigin(warehouse)
	for _, s := range r.Stages {
		req, ok := s.Spec.Request(origin)
		if !ok {
			continue
		}
		out = append(out, RouteStage{Stage: s.Name, Request: req,
			AutoPromote: r.Config.AutoPromotionEnabled(s, warehouse), ControlFlow: s.Spec.IsControlFlow()})
	}
	return out
}

// Find returns the route's entry for stage.
func (rt Route) Find(stage string) (RouteStage, bool) {
	i := slices.IndexFunc(rt, func(r RouteStage) bool { return r.Stage == stage })
	if i < 0 {
		return RouteStage{}, false
	}
	return rt[i], true
}

// Stage returns the route's entry for stage, or an error naming the
// stages that do request warehouse's Freight.
func (rt Route) Stage(stage, warehouse string) (RouteStage, error) {
	if r, ok := rt.Find(stage); ok {
		return r, nil
	}
	names := make([]string, 0, len(rt))
	for _, r := range rt {
		names = append(names, r.Stage)
	}
	return RouteStage{}, fmt.Errorf("stage %q does not request Freight from warehouse %q (stages that do: %s)",
		stage, warehouse, strings.Join(names, ", "))
}

// Downstream lists, in order, the stages that take Freight from stage.
func Downstream(stages []Stage, stage string) []string {
	var out []string
	for _, d := range stages {
		for _, req := range d.Spec.RequestedFreight {
			if slices.Contains(req.Sources.Stages, stage) && !slices.Contains(out, d.Name) {
				out = append(out, d.Name)
			}
		}
	}
	return out
}
