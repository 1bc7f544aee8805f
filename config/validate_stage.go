package config

import (
	"fmt"

	railyard "github.com/railyard/railyard"
)

var stageSpecials = []special{
	{pattern: "spec.shard", warning: true, message: "shard has no effect in Railyard (every worker serves every stage)"},
	{pattern: "spec.verification.analysisRunMetadata", warning: true, message: "analysisRunMetadata has no effect in Railyard (no AnalysisRun resources are created)"},
	{pattern: "spec.subscriptions", message: "was removed in Kargo v0.8; use requestedFreight"},
	{pattern: "spec.promotionMechanisms", message: "was removed in Kargo v1.0; use promotionTemplate"},
	{pattern: "spec.targets", message: "target-aware Stages are not supported yet"},
}

func decodeStage(tree map[string]any, src source, r *report) any {
	takeSpecials(tree, stageSpecials, r, src)
	m := decodeManifest[stageManifest](tree, src, r)
	s := &railyard.Stage{Name: src.Name, Labels: m.Metadata.Labels, Spec: m.Spec}
	validateStage(&s.Spec, src, r)
	return s
}

func validateStage(spec *railyard.StageSpec, src source, r *report) {
	// A Stage's vars serve its verification arguments too, where fewer
	// functions are available.
	varScope := railyard.ScopeSteps
	if spec.Verification != nil {
		varScope = railyard.ScopeVerification
	}
	checkVars(r, src, "spec.vars", varScope, spec.Vars)
	if len(spec.RequestedFreight) == 0 {
		r.add(src, "spec.requestedFreight", "at least one requested origin is required")
	}
	seen := map[string]int{}
	for i := range spec.RequestedFreight {
		field := fmt.Sprintf("spec.requestedFreight[%d]", i)
		req := &spec.RequestedFreight[i]
		validateOrigin(r, src, field+".origin", req.Origin)
		if j, ok := seen[req.Origin.String()]; ok && req.Origin.Name != "" {
			r.add(src, field+".origin", "%s is already requested by spec.requestedFreight[%d]", req.Origin, j)
		}
		seen[req.Origin.String()] = i
		validateSources(r, src, field+".sources", src.Name, req.Sources)
	}
	if t := spec.PromotionTemplate; t != nil {
		if len(t.Spec.Steps) == 0 {
			r.add(src, "spec.promotionTemplate.spec.steps", "at least one step is required; leave out promotionTemplate for a control-flow stage")
		}
		checkVars(r, src, "spec.promotionTemplate.spec.vars", railyard.ScopeSteps, t.Spec.Vars)
		validateSteps(r, src, "spec.promotionTemplate.spec.steps", t.Spec.Steps, true)
	}
	if v := spec.Verification; v != nil {
		validateVerification(r, src, *v)
	}
}

func validateOrigin(r *report, src source, field string, o railyard.FreightOrigin) {
	switch o.Kind {
	case railyard.OriginKindWarehouse:
	case "":
		r.add(src, field+".kind", "is required (Warehouse)")
	default:
		r.add(src, field+".kind", "%q is not a Freight origin kind; the only kind is Warehouse", o.Kind)
	}
	if o.Name == "" {
		r.add(src, field+".name", "is required")
	}
}

func validateSources(r *report, src source, field, stage string, s railyard.FreightSources) {
	if !s.Direct && len(s.Stages) == 0 {
		r.add(src, field, "either direct: true or at least one upstream stage is required")
	}
	seen := map[string]bool{}
	for i, up := range s.Stages {
		f := fmt.Sprintf("%s.stages[%d]", field, i)
		switch {
		case up == "":
			r.add(src, f, "must not be empty")
		case seen[up]:
			r.add(src, f, "stage %q is listed twice", up)
		}
		seen[up] = true
	}
	if s.RequiredSoakTime != "" && !intervalRE.MatchString(string(s.RequiredSoakTime)) {
		r.add(src, field+".requiredSoakTime", "%q is not a valid duration (h, m and s, like 30m or 1h30m)", s.RequiredSoakTime)
	}
	checkEnum(r, src, field+".availabilityStrategy", s.AvailabilityStrategy, railyard.AvailableOneOf, railyard.AvailableAll)
	if o := s.AutoPromotionOptions; o != nil {
		f := field + ".autoPromotionOptions.selectionPolicy"
		checkEnum(r, src, f, o.SelectionPolicy, railyard.SelectNewestFreight, railyard.SelectMatchUpstream)
		if o.SelectionPolicy == railyard.SelectMatchUpstream && (s.Direct || len(s.Stages) != 1) {
			r.add(src, f, "MatchUpstream requires exactly one upstream stage and no direct: true")
		}
	}
}

func validateVerification(r *report, src source, v railyard.Verification) {
	seen := map[string]bool{}
	for i, t := range v.AnalysisTemplates {
		f := fmt.Sprintf("spec.verification.analysisTemplates[%d]", i)
		if t.Name == "" {
			r.add(src, f+".name", "is required")
		}
		switch t.Kind {
		case "", kindAnalysisTemplate, kindClusterAnalysisTemplate:
		default:
			r.add(src, f+".kind", "%q is not AnalysisTemplate or ClusterAnalysisTemplate", t.Kind)
		}
		key := t.Kind + "/" + t.Name
		if t.Kind == "" {
			key = kindAnalysisTemplate + "/" + t.Name
		}
		if seen[key] && t.Name != "" {
			r.add(src, f+".name", "AnalysisTemplate %q is listed twice", t.Name)
		}
		seen[key] = true
	}
	for i, a := range v.Args {
		f := fmt.Sprintf("spec.verification.args[%d]", i)
		if a.Name == "" {
			r.add(src, f+".name", "is required")
		}
		checkTemplate(r, src, f+".value", railyard.ScopeVerification, a.Value)
	}
}
