package config

import (
	"fmt"
	"strings"

	railyard "github.com/railyard/railyard"
)

// checkRefs checks the references between one project's resources: origins,
// upstream stages, analysis templates, tasks and policy warehouses, and that
// the stages form no cycle.
func checkRefs(p *projectEntries, res *railyard.Resources, r *report) {
	for _, s := range p.stages {
		checkStageRefs(s, p, res, r)
	}
	if p.config != nil {
		checkPolicyRefs(p.config.src, p.config.val.PromotionPolicies, res, r)
	}
	checkCycles(p.stages, r)
}

func checkStageRefs(e entry[*railyard.Stage], p *projectEntries, res *railyard.Resources, r *report) {
	spec := e.val.Spec
	for i, req := range spec.RequestedFreight {
		f := fmt.Sprintf("spec.requestedFreight[%d]", i)
		if req.Origin.Kind != railyard.OriginKindWarehouse || req.Origin.Name == "" {
			continue // reported already
		}
		if _, ok := res.Warehouse(req.Origin.Name); !ok {
			r.add(e.src, f+".origin.name", "Warehouse %q does not exist in project %q", req.Origin.Name, p.name)
			continue
		}
		for j, up := range req.Sources.Stages {
			upstream, ok := res.Stage(up)
			sf := fmt.Sprintf("%s.sources.stages[%d]", f, j)
			switch {
			case up == "" || up == e.val.Name:
			case !ok:
				r.add(e.src, sf, "Stage %q does not exist in project %q", up, p.name)
			case !requests(upstream, req.Origin):
				r.add(e.src, sf, "Stage %q does not request Freight from %s, so none can come from it", up, req.Origin)
			}
		}
	}
	if v := spec.Verification; v != nil {
		for i, t := range v.AnalysisTemplates {
			if t.Name != "" && (t.Kind == "" || t.Kind == kindAnalysisTemplate) && !hasAnalysis(res, t.Name) {
				r.add(e.src, fmt.Sprintf("spec.verification.analysisTemplates[%d].name", i),
					"AnalysisTemplate %q does not exist in project %q", t.Name, p.name)
			}
		}
	}
	if t := spec.PromotionTemplate; t != nil {
		global := append(append([]railyard.ExpressionVar(nil), spec.Vars...), t.Spec.Vars...)
		for i, st := range t.Spec.Steps {
			f := fmt.Sprintf("spec.promotionTemplate.spec.steps[%d]", i)
			checkTaskRef(e.src, f+".task", st.Task, p.name, res, r)
			checkTaskInputs(e.src, f, st, global, res, r)
		}
	}
}

// checkTaskInputs reports task vars without a default that neither the
// task step nor the template or Stage vars give a value.
func checkTaskInputs(src source, field string, st railyard.PromotionStep, global []railyard.ExpressionVar, res *railyard.Resources, r *report) {
	if st.Task == nil {
		return
	}
	task, ok := res.Task(*st.Task)
	if !ok {
		return
	}
	given := map[string]bool{}
	for _, v := range append(append([]railyard.ExpressionVar(nil), global...), st.Vars...) {
		given[v.Name] = given[v.Name] || v.Value != ""
	}
	for _, v := range task.Spec.Vars {
		if v.Value == "" && !given[v.Name] {
			r.add(src, field+".vars", "%s %q needs a value for var %q: set it here or in the promotion template's or Stage's vars",
				task.Kind, task.Name, v.Name)
		}
	}
}

func requests(s railyard.Stage, origin railyard.FreightOrigin) bool {
	_, ok := s.Spec.Request(origin)
	return ok
}

func hasAnalysis(res *railyard.Resources, name string) bool {
	for _, a := range res.AnalysisTemplates {
		if a.Name == name {
			return true
		}
	}
	return false
}

func checkTaskRef(src source, field string, ref *railyard.TaskRef, project string, res *railyard.Resources, r *report) {
	if ref == nil || ref.Name == "" || (ref.Kind != "" && ref.Kind != kindPromotionTask && ref.Kind != kindClusterPromotionTask) {
		return
	}
	if _, ok := res.Task(*ref); ok {
		return
	}
	if ref.Kind == kindClusterPromotionTask {
		r.add(src, field+".name", "ClusterPromotionTask %q does not exist", ref.Name)
		return
	}
	r.add(src, field+".name", "PromotionTask %q does not exist in project %q", ref.Name, project)
}

func checkPolicyRefs(src source, policies []railyard.PromotionPolicy, res *railyard.Resources, r *report) {
	for i, pol := range policies {
		for j, w := range pol.Warehouses {
			if _, ok := res.Warehouse(w); w != "" && !ok {
				r.add(src, fmt.Sprintf("spec.promotionPolicies[%d].warehouses[%d]", i, j),
					"Warehouse %q does not exist in project %q", w, res.Project)
			}
		}
	}
}

// checkCycles reports every cycle among the stages once, in the direction
// Freight flows, starting from the stage defined first. A stage naming
// itself as upstream is no cycle.
func checkCycles(stages []entry[*railyard.Stage], r *report) {
	index := map[string]int{}
	for i, s := range stages {
		index[s.val.Name] = i
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(stages))
	var stack []int
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		stack = append(stack, i)
		for _, up := range upstreams(stages[i].val) {
			j, ok := index[up]
			switch {
			case !ok, j == i:
				// A stage may list itself, as Kargo allows: Freight verified
				// in it is then available to it again.
			case color[j] == grey:
				reportCycle(stages, cycleFrom(stack, j), reported, r)
			case color[j] == white:
				visit(j)
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
	}
	for i := range stages {
		if color[i] == white {
			visit(i)
		}
	}
}

// upstreams lists a stage's upstream stages over all its requests.
func upstreams(s *railyard.Stage) []string {
	var out []string
	for _, req := range s.Spec.RequestedFreight {
		out = append(out, req.Sources.Stages...)
	}
	return out
}

// cycleFrom returns the part of the stack from j on, in downstream-to-
// upstream order.
func cycleFrom(stack []int, j int) []int {
	for k, v := range stack {
		if v == j {
			return append([]int(nil), stack[k:]...)
		}
	}
	return nil
}

func reportCycle(stages []entry[*railyard.Stage], cycle []int, reported map[string]bool, r *report) {
	// Reverse into flow order (upstream first), then start at the stage
	// defined first so that each cycle is reported once, the same way.
	for a, b := 0, len(cycle)-1; a < b; a, b = a+1, b-1 {
		cycle[a], cycle[b] = cycle[b], cycle[a]
	}
	start := 0
	for k, v := range cycle {
		if v < cycle[start] {
			start = k
		}
	}
	cycle = append(cycle[start:], cycle[:start]...)
	names := make([]string, 0, len(cycle)+1)
	for _, v := range cycle {
		names = append(names, stages[v].val.Name)
	}
	names = append(names, names[0])
	key := strings.Join(names, " → ")
	if reported[key] {
		return
	}
	reported[key] = true
	r.add(stages[cycle[0]].src, "spec.requestedFreight", "stage cycle: %s", key)
}
