package verify

import (
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/expr-lang/expr"

	"github.com/railyard/railyard"
)

// Evaluate turns a measured result into a phase with the metric's
// successCondition and failureCondition, following Argo Rollouts'
// evaluate.EvaluateResult:
//
//	success  failure   phase
//	absent   absent    Successful
//	set      absent    Successful if success holds, else Failed
//	absent   set       Failed if failure holds, else Successful
//	set      set       Failed if failure holds, else Successful if success
//	                   holds, else Inconclusive
//
// A condition that does not compile, fails at run time or is not a bool is
// an error (an Error measurement).
func Evaluate(result any, metric railyard.Metric) (railyard.AnalysisPhase, error) {
	var success, failure bool
	var err error
	if metric.SuccessCondition != "" {
		if success, err = condition(result, metric.SuccessCondition); err != nil {
			return railyard.AnalysisError, evalError("successCondition", metric.SuccessCondition, result, err)
		}
	}
	if metric.FailureCondition != "" {
		if failure, err = condition(result, metric.FailureCondition); err != nil {
			return railyard.AnalysisError, evalError("failureCondition", metric.FailureCondition, result, err)
		}
	}
	switch {
	case metric.SuccessCondition == "" && metric.FailureCondition == "":
		return railyard.AnalysisSuccessful, nil
	case metric.FailureCondition == "":
		failure = !success
	case metric.SuccessCondition == "":
		success = !failure
	}
	switch {
	case failure:
		return railyard.AnalysisFailed, nil
	case success:
		return railyard.AnalysisSuccessful, nil
	}
	return railyard.AnalysisInconclusive, nil
}

// evalError explains a condition that could not be evaluated.
func evalError(which, cond string, result any, err error) error {
	if isNil(result) || isEmptyList(result) {
		return fmt.Errorf("%s %q: the result is empty: the provider returned no data", which, cond)
	}
	return fmt.Errorf("%s %q: %w", which, cond, err)
}

// condition runs one condition with Argo Rollouts' environment: result and
// the helpers asInt, asFloat, isNaN, isInf, isNil and default.
func condition(result any, cond string) (bool, error) {
	env := map[string]any{
		"result":  result,
		"asInt":   asInt,
		"asFloat": asFloat,
		"isNaN":   math.IsNaN,
		"isInf":   func(f float64) bool { return math.IsInf(f, 0) },
		"isNil":   func(any) bool { return isNil(result) },
		"default": func(_, def any) any {
			if isNil(result) {
				return def
			}
			return result
		},
	}
	prog, err := expr.Compile(cond, expr.Env(env))
	if err != nil {
		return false, err
	}
	out, err := expr.Run(prog, env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("expected a bool, got %T", out)
	}
	return b, nil
}

// asInt converts a number or a numeric string to an integer.
func asInt(in any) (int64, error) {
	if s, ok := in.(string); ok {
		return strconv.ParseInt(s, 10, 64)
	}
	f, err := asFloat(in)
	return int64(f), err
}

// asFloat converts a number or a numeric string to a float.
func asFloat(in any) (float64, error) {
	if s, ok := in.(string); ok {
		return strconv.ParseFloat(s, 64)
	}
	v := reflect.ValueOf(in)
	switch {
	case v.CanInt():
		return float64(v.Int()), nil
	case v.CanUint():
		return float64(v.Uint()), nil
	case v.CanFloat():
		return v.Float(), nil
	}
	return 0, fmt.Errorf("asFloat: %T %v is not a number", in, in)
}

// isNil reports whether v is nil or a nil pointer, map or slice.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan:
		return r.IsNil()
	}
	return false
}

// isEmptyList reports whether v is an empty slice.
func isEmptyList(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Slice && r.Len() == 0
}
