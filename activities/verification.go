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
	Project    string                         `json:"project"`
	Stage      string                         `json:"stage"`
	Templates  []railyard.AnalysisTemplate    `json:"templates"`
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
	plan, err := verify.Plan(in.Project, in.Templates, in.Args, verify.EvalFunc(ev))
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
