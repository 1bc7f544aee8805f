package steps

import (
	"context"
	"fmt"

	exprlang "github.com/expr-lang/expr"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

// evaluator builds the expression evaluator of one step: its vars (global
// vars without outputs, then step vars with outputs) and every function.
func (e *Engine) evaluator(ctx context.Context, req StepRequest, empty *expr.EmptySlots) (*expr.Evaluator, error) {
	p := req.Promotion
	pc := expr.PromotionContext{Project: p.Project, Stage: p.Stage, Promotion: p.Name,
		Actor: p.Actor, StepAlias: req.Alias, TargetFreight: p.TargetFreight, UIBaseURL: e.UIBaseURL}
	fns := [][]exprlang.Option{
		expr.FreightFunctions(expr.Freight{Collection: p.Collection, Requested: p.Requested, Warehouses: p.Warehouses, Empty: empty}),
		expr.SecretFunction(ctx, e.Secrets, p.Project),
		expr.ConfigMapFunctions(ctx, e.ConfigMaps, p.Project),
		expr.MetadataFunctions(ctx, expr.Records{Source: e.Records, Project: p.Project, Stage: p.Stage, Pending: req.Metadata}),
		expr.StatusFunctions(req.Alias, req.Statuses),
	}
	vars := map[string]any{}
	outputs := req.Outputs
	if outputs == nil {
		outputs = map[string]map[string]any{}
	}
	global := expr.New(expr.PromotionEnv(pc, vars, nil), fns...)
	if err := evalVars(global, vars, req.Vars); err != nil {
		return nil, err
	}
	local := expr.New(expr.PromotionEnv(pc, vars, outputs), fns...)
	if err := evalVars(local, vars, req.Step.Vars); err != nil {
		return nil, err
	}
	return local, nil
}

// evalVars evaluates vars in order into dst, which the evaluator's env
// holds, so each var sees the ones before it.
func evalVars(ev *expr.Evaluator, dst map[string]any, vars []railyard.ExpressionVar) error {
	for _, v := range vars {
		val, err := ev.Template(v.Value)
		if err != nil {
			return fmt.Errorf("var %q: %w", v.Name, err)
		}
		dst[v.Name] = val
	}
	return nil
}
