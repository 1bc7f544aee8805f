package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

// ErrNotSupported marks template features Railyard does not support yet.
var ErrNotSupported = errors.New("not supported yet")

// ResolveArgs returns the values of tmpl's arguments: each template
// argument's default, overridden by the Stage's verification argument of
// the same name. Stage values pass through eval first (for `${{ }}`
// expressions; nil leaves them as written). Stage arguments the template
// does not declare are ignored, as Argo Rollouts does, since one Stage's
// arguments serve all its templates. An argument with no value is an
// error. `valueFrom.secretKeyRef` becomes a placeholder naming the
// project's secret (SecretPlaceholder), which the Measurer resolves on the
// worker, so the value never enters workflow history; `fieldRef` is not
// supported.
func ResolveArgs(project string, tmpl railyard.AnalysisTemplate, stageArgs []railyard.AnalysisRunArgument,
	eval func(string) (string, error)) (map[string]string, error) {
	given := make(map[string]string, len(stageArgs))
	for _, a := range stageArgs {
		given[a.Name] = a.Value
	}
	out := make(map[string]string, len(tmpl.Spec.Args))
	for _, a := range tmpl.Spec.Args {
		v, err := argValue(project, a, given, eval)
		if err != nil {
			return nil, fmt.Errorf("analysis template %q: argument %q: %w", tmpl.Name, a.Name, err)
		}
		out[a.Name] = v
	}
	return out, nil
}

// argValue is one argument's value: the Stage's, else the default.
func argValue(project string, a railyard.AnalysisArg, given map[string]string, eval func(string) (string, error)) (string, error) {
	if v, ok := given[a.Name]; ok {
		if eval == nil {
			return v, nil
		}
		return eval(v)
	}
	switch {
	case len(a.ValueFrom) > 0 && string(a.ValueFrom) != "null":
		return valueFrom(project, a.ValueFrom)
	case a.Value == nil:
		return "", errors.New("no value: the template has no default and the Stage's verification args do not set it")
	}
	return *a.Value, nil
}

// EvalFunc adapts an expression evaluator (env ctx{project,stage} and vars,
// with the freight functions) for ResolveArgs. A result that is not a
// string is written as JSON, so 3 becomes "3".
func EvalFunc(ev *expr.Evaluator) func(string) (string, error) {
	return func(s string) (string, error) {
		v, err := ev.Template(s)
		if err != nil {
			return "", err
		}
		if str, ok := v.(string); ok {
			return str, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("expression result %v: %w", v, err)
		}
		return string(b), nil
	}
}

// Substitute replaces Argo Rollouts placeholders `{{args.name}}` (spaces
// inside the braces allowed: `{{ args.name }}`) with args' values. Other
// placeholders and unknown arguments are left as they are.
func Substitute(s string, args map[string]string) string {
	out, _ := substitute(s, args, func(v string) string { return v })
	return out
}

// substitute replaces placeholders, quoting each value with quote, and
// returns the names of `{{args.x}}` placeholders it could not resolve.
func substitute(s string, args map[string]string, quote func(string) string) (string, []string) {
	var b strings.Builder
	var missing []string
	for {
		start := strings.Index(s, "{{")
		if start < 0 {
			break
		}
		end := strings.Index(s[start+2:], "}}")
		if end < 0 {
			break
		}
		tag := s[start : start+2+end+2]
		b.WriteString(s[:start])
		s = s[start+len(tag):]
		name, isArg := strings.CutPrefix(strings.TrimSpace(tag[2:len(tag)-2]), "args.")
		v, known := args[name]
		switch {
		case isArg && known:
			b.WriteString(quote(v))
		case isArg:
			if !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
			fallthrough
		default:
			b.WriteString(tag)
		}
	}
	b.WriteString(s)
	return b.String(), missing
}

// SubstituteMetric substitutes args into every field of metric (URL, query,
// headers, bodies, conditions, count, limits, interval …), the way Argo
// Rollouts does before taking a measurement. A placeholder naming an
// argument the template does not have is an error.
func SubstituteMetric(metric railyard.Metric, args map[string]string) (railyard.Metric, error) {
	raw, err := json.Marshal(metric)
	if err != nil {
		return railyard.Metric{}, fmt.Errorf("metric %q: %w", metric.Name, err)
	}
	text, missing := substitute(string(raw), args, jsonEscape)
	if len(missing) > 0 {
		return railyard.Metric{}, fmt.Errorf("metric %q: unknown argument(s) %s: declare them in the template's args",
			metric.Name, strings.Join(missing, ", "))
	}
	var out railyard.Metric
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return railyard.Metric{}, fmt.Errorf("metric %q after substituting args: %w", metric.Name, err)
	}
	return out, nil
}

// jsonEscape escapes s for use inside a JSON string literal.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// ArgValueFrom is an argument's valueFrom.
type ArgValueFrom struct {
	SecretKeyRef *SecretKeyRef   `json:"secretKeyRef,omitempty"`
	FieldRef     json.RawMessage `json:"fieldRef,omitempty"`
}

// SecretKeyRef names one key of a secret.
type SecretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

func valueFrom(project string, raw json.RawMessage) (string, error) {
	var vf ArgValueFrom
	if err := json.Unmarshal(raw, &vf); err != nil {
		return "", fmt.Errorf("valueFrom: %w", err)
	}
	switch {
	case vf.SecretKeyRef != nil && (vf.SecretKeyRef.Name == "" || vf.SecretKeyRef.Key == ""):
		return "", errors.New("valueFrom.secretKeyRef needs a name and a key")
	case vf.SecretKeyRef != nil:
		return SecretPlaceholder(project, vf.SecretKeyRef.Name, vf.SecretKeyRef.Key), nil
	}
	return "", fmt.Errorf("valueFrom.fieldRef is %w (Railyard runs no pods); use secretKeyRef or a value", ErrNotSupported)
}
