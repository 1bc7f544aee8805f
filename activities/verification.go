package activities

import (
	"context"
	"fmt"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
	"github.com/railyard/railyard/activities/verify"
)

// PlanInput asks for a stage's verification plan: its analysis templates
// with arguments resolved against the collection being verified.
type PlanInput struct {
	Project   string                      `json:"project"`
	Stage     string                      `json:"stage"`
	Templates []railyard.AnalysisTemplate `json:"templates"`
	// Refs are the stage's references, in order; ClusterAnalysisTemplates
	// among them are read from the Shared workflow when planning. Without
	// Refs, Templates are used as they are.
	Refs       []railyard.AnalysisTemplateRef `json:"refs,omitempty"`
	Args       []railyard.AnalysisRunArgument `json:"args,omitempty"`
	Vars       []railyard.ExpressionVar       `json:"vars,omitempty"`
	Collection railyard.Collection            `json:"collection"`
	Requested  []railyard.FreightOrigin       `json:"requested,omitempty"`
	Warehouses []railyard.Warehouse           `json:"warehouses,omitempty"`
}

// PlanVerification evaluates the stage's verification arguments (which may
// use ${{ }} with ctx, vars and commitFrom/imageFrom/chartFrom) and
// substitutes them into every metric.
func (a *Activities) PlanVerification(ctx context.Context, in PlanInput) ([]verify.PlannedMetric, error) {
	vars := map[string]any{}
	env := map[string]any{"ctx": map[string]any{"project": in.Project, "stage": in.Stage}, "vars": vars}
	ev := expr.New(env, expr.FreightFunctions(expr.Freight{Collection: in.Collection,
		Requested: in.Requested, Warehouses: in.Warehouses}))
	for _, v := range in.Vars {
		val, err := ev.Template(v.Value)
		if err != nil {
			return nil, classify(fmt.Errorf("stage %s: var %q: %w: %w", in.Stage, v.Name, err, railyard.ErrInvalid))
		}
		vars[v.Name] = val
	}
	templates, err := a.templates(ctx, in)
	if err != nil {
		return nil, err
	}
	plan, err := verify.Plan(in.Project, templates, in.Args, verify.EvalFunc(ev))
	if err != nil {
		return nil, classify(fmt.Errorf("stage %s verification: %w: %w", in.Stage, err, railyard.ErrInvalid))
	}
	return plan, nil
}

// Measure takes one measurement of a metric. Provider problems are Error
// measurements, not activity failures, so that the analysis counts them.
func (a *Activities) Measure(ctx context.Context, in verify.MeasureInput) (verify.Measurement, error) {
	m := a.Verify
	if m == nil {
		m = &verify.Measurer{}
	}
	return m.Measure(ctx, in)
}

// SharedSource reads the cluster-wide resources (the Shared workflow's).
type SharedSource interface {
	Shared(ctx context.Context) (railyard.SharedResources, error)
}

// templates lists the stage's templates in the order of its references:
// the project's from the input, ClusterAnalysisTemplates from the shared
// resources, read once.
func (a *Activities) templates(ctx context.Context, in PlanInput) ([]railyard.AnalysisTemplate, error) {
	if len(in.Refs) == 0 {
		return in.Templates, nil
	}
	var shared *railyard.SharedResources
	out := make([]railyard.AnalysisTemplate, 0, len(in.Refs))
	for _, ref := range in.Refs {
		if ref.Kind != railyard.KindClusterAnalysisTemplate {
			for _, t := range in.Templates {
				if t.Name == ref.Name {
					out = append(out, t)
				}
			}
			continue
		}
		if shared == nil {
			if a.Shared == nil {
				return nil, classify(fmt.Errorf("stage %s: ClusterAnalysisTemplate %q: this worker cannot read shared resources: %w",
					in.Stage, ref.Name, railyard.ErrNotSupported))
			}
			s, err := a.Shared.Shared(ctx)
			if err != nil {
				return nil, fmt.Errorf("reading ClusterAnalysisTemplate %q: %w", ref.Name, err)
			}
			shared = &s
		}
		t, ok := shared.ClusterTemplate(ref.Name)
		if !ok {
			return nil, classify(fmt.Errorf("stage %s: ClusterAnalysisTemplate %q has not been applied: %w",
				in.Stage, ref.Name, railyard.ErrNotFound))
		}
		out = append(out, t)
	}
	return out, nil
}
