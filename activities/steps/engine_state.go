package steps

import (
	"context"
	"fmt"
	"maps"
	"time"

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

// StepTimeout is the step's retry.timeout; zero means none.
func StepTimeout(step railyard.PromotionStep) time.Duration {
	if step.Retry == nil {
		return 0
	}
	return step.Retry.Timeout.Duration()
}

// ErrorThreshold is how many consecutive Errored runs end a step: its
// retry.errorThreshold, else 1 (no retries), as in Kargo.
func ErrorThreshold(step railyard.PromotionStep) int {
	if step.Retry == nil || step.Retry.ErrorThreshold <= 0 {
		return 1
	}
	return step.Retry.ErrorThreshold
}

// Apply merges a response's outputs into the promotion's outputs (by alias,
// and by task alias for compose-output inside a task) and returns them.
func (r StepResponse) Apply(outputs map[string]map[string]any) map[string]map[string]any {
	if outputs == nil {
		outputs = map[string]map[string]any{}
	}
	if r.Output != nil {
		outputs[r.Alias] = r.Output
	}
	if r.TaskAlias != "" && len(r.TaskOutput) > 0 {
		merged := maps.Clone(outputs[r.TaskAlias])
		if merged == nil {
			merged = map[string]any{}
		}
		maps.Copy(merged, r.TaskOutput)
		outputs[r.TaskAlias] = merged
	}
	return outputs
}

var severity = map[string]int{
	StatusSucceeded: 0, StatusSkipped: 1, StatusRunning: 2,
	StatusAborted: 3, StatusFailed: 4, StatusErrored: 5,
}

// Worst returns the most severe status (Succeeded < Skipped < Running <
// Aborted < Failed < Errored); Succeeded for none. Unknown statuses count
// as Errored.
func Worst(statuses ...string) string {
	worst := StatusSucceeded
	for _, s := range statuses {
		if rank(s) > rank(worst) {
			worst = s
		}
	}
	return worst
}

func rank(s string) int {
	if r, ok := severity[s]; ok {
		return r
	}
	return severity[StatusErrored] + 1
}

// FinalPhase is a promotion's phase from its steps: the worst status among
// steps without continueOnError, with Skipped counting as Succeeded. The
// message is that of the first step with the worst status.
func FinalPhase(steps []StepState) (phase, message string) {
	var counted []string
	for _, s := range steps {
		if !s.ContinueOnError {
			counted = append(counted, s.Status)
		}
	}
	phase = Worst(counted...)
	if phase == StatusSkipped {
		return StatusSucceeded, ""
	}
	if phase == StatusSucceeded {
		return phase, ""
	}
	for _, s := range steps {
		if !s.ContinueOnError && s.Status == phase {
			return phase, fmt.Sprintf("step %q %s: %s", s.Alias, s.Status, s.Message)
		}
	}
	return phase, ""
}
