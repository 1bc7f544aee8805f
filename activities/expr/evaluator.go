package expr

import (
	"fmt"
	"maps"
	"strings"

	"github.com/expr-lang/expr"
)

// Evaluator evaluates expressions against one environment (variables) and a
// set of functions. It is cheap to build; build one per step.
type Evaluator struct {
	env  map[string]any
	opts []expr.Option
}

// New returns an Evaluator over env with the given function sets (see
// Builtins, FreightFunctions, StatusFunctions, SecretFunction). Builtins are
// always included.
func New(env map[string]any, fns ...[]expr.Option) *Evaluator {
	e := &Evaluator{env: env, opts: Builtins()}
	for _, f := range fns {
		e.opts = append(e.opts, f...)
	}
	return e
}

// With returns a copy of e whose environment also holds extra.
func (e *Evaluator) With(extra map[string]any) *Evaluator {
	env := maps.Clone(e.env)
	if env == nil {
		env = map[string]any{}
	}
	maps.Copy(env, extra)
	return &Evaluator{env: env, opts: e.opts}
}

// Eval compiles and runs one bare expression (no delimiters). extra adds
// variables for this call only.
func (e *Evaluator) Eval(code string, extra map[string]any) (any, error) {
	env := e.env
	if len(extra) > 0 {
		env = e.With(extra).env
	}
	if env == nil {
		env = map[string]any{}
	}
	prog, err := expr.Compile(code, e.opts...)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", strings.TrimSpace(code), err)
	}
	v, err := expr.Run(prog, env)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", strings.TrimSpace(code), err)
	}
	return v, nil
}

// Bool evaluates a condition: a template ("${{ failure() }}") or, as a
// Railyard extension, a bare expression ("failure()"). The result must be a
// bool.
func (e *Evaluator) Bool(cond string) (bool, error) {
	var v any
	var err error
	if HasExpression(cond) {
		v, err = e.Template(cond)
	} else {
		v, err = e.Eval(cond, nil)
	}
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition %q must evaluate to a bool, got %T", cond, v)
	}
	return b, nil
}
