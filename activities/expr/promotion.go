package expr

import (
	"context"
	"fmt"
	"strings"

	"github.com/expr-lang/expr"

	"github.com/railyard/railyard"
)

// AliasSeparator joins a task's alias and a task step's alias.
const AliasSeparator = "::"

// StatusFunctions returns success, failure, always and status over the
// earlier steps. status(alias) resolves alias within the current step's task
// when the current step belongs to one, and returns "" for unknown steps.
func StatusFunctions(current string, steps []railyard.StepState) []expr.Option {
	ns := Namespace(current)
	return []expr.Option{
		expr.Function("always", func(...any) (any, error) { return true, nil }, new(func() bool)),
		expr.Function("failure", func(...any) (any, error) { return railyard.HasFailures(steps), nil }, new(func() bool)),
		expr.Function("success", func(...any) (any, error) { return !railyard.HasFailures(steps), nil }, new(func() bool)),
		expr.Function("status", func(a ...any) (any, error) {
			alias := a[0].(string)
			if alias == "" {
				return nil, fmt.Errorf("status(): alias must not be empty")
			}
			if ns != "" {
				alias = ns + AliasSeparator + alias
			}
			for _, s := range steps {
				if s.Alias == alias {
					return string(s.Status), nil
				}
			}
			return "", nil
		}, new(func(string) string)),
	}
}

// Namespace returns the task alias of an inflated task step's alias
// ("deploy::step-1" → "deploy"), or "".
func Namespace(alias string) string {
	parts := strings.Split(alias, AliasSeparator)
	if len(parts) != 2 {
		return ""
	}
	return parts[0]
}

// TaskOutputs returns the outputs of the steps sharing alias's task, keyed by
// their short alias, or nil when alias is not a task step.
func TaskOutputs(alias string, outputs map[string]map[string]any) map[string]any {
	ns := Namespace(alias)
	if ns == "" {
		return nil
	}
	out := map[string]any{}
	for k, v := range outputs {
		if Namespace(k) == ns {
			out[k[len(ns)+len(AliasSeparator):]] = v
		}
	}
	return out
}

// SecretSource resolves a project secret on the worker. A missing secret is
// an empty map, as in Kargo.
type SecretSource interface {
	Secret(ctx context.Context, project, name string) (map[string]string, error)
}

// SecretFunction returns secret(name) and sharedSecret(name) over src:
// secret reads the project's secrets (and those the worker shares with every
// project), sharedSecret only the shared ones. With a nil src every secret
// is empty.
func SecretFunction(ctx context.Context, src SecretSource, project string) []expr.Option {
	read := func(project, fn string) func(a ...any) (any, error) {
		return func(a ...any) (any, error) {
			if src == nil {
				return map[string]string{}, nil
			}
			m, err := src.Secret(ctx, project, a[0].(string))
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", fn, a[0], err)
			}
			if m == nil {
				m = map[string]string{}
			}
			return m, nil
		}
	}
	return []expr.Option{
		expr.Function("secret", read(project, "secret"), new(func(string) map[string]string)),
		expr.Function("sharedSecret", read("", "sharedSecret"), new(func(string) map[string]string)),
	}
}

// StaticSecrets is a SecretSource over fixed data: project → name → data.
type StaticSecrets map[string]map[string]map[string]string

// Secret implements SecretSource.
func (s StaticSecrets) Secret(_ context.Context, project, name string) (map[string]string, error) {
	return s[project][name], nil
}

// PromotionContext is the `ctx` variable of a promotion step.
type PromotionContext struct {
	Project       string
	Stage         string
	Promotion     string
	Actor         string
	StepAlias     string
	TargetFreight railyard.FreightRef
	// UIBaseURL is ctx.uiBaseUrl: where users look at promotions (the
	// worker's --ui-base-url, by default the Temporal Web UI with --dev).
	UIBaseURL string
}

// Map renders the context as expressions see it.
func (c PromotionContext) Map() map[string]any {
	return map[string]any{
		"project":   c.Project,
		"stage":     c.Stage,
		"promotion": c.Promotion,
		"uiBaseUrl": c.UIBaseURL,
		"targetFreight": map[string]any{
			"name":   c.TargetFreight.ID,
			"alias":  c.TargetFreight.Alias,
			"origin": map[string]any{"name": c.TargetFreight.Origin.Name},
		},
		"meta": map[string]any{
			"promotion": map[string]any{"actor": c.Actor, "rollback": false},
			"step":      map[string]any{"alias": c.StepAlias},
		},
	}
}

// PromotionEnv builds the environment of a step expression: ctx, vars,
// outputs and (inside a task) task.outputs. outputs may be nil for global
// vars, which cannot see outputs.
func PromotionEnv(c PromotionContext, vars map[string]any, outputs map[string]map[string]any) map[string]any {
	if vars == nil {
		vars = map[string]any{}
	}
	env := map[string]any{"ctx": c.Map(), "vars": vars}
	if outputs == nil {
		return env
	}
	all := make(map[string]any, len(outputs))
	for k, v := range outputs {
		all[k] = v
	}
	env["outputs"] = all
	if t := TaskOutputs(c.StepAlias, outputs); t != nil {
		env["task"] = map[string]any{"outputs": t}
	}
	return env
}
