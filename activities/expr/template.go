// Package expr evaluates Kargo's expression language inside promotion step
// configuration: expr-lang expressions between `${{` and `}}` (or `${%` and
// `%}` when the expression itself contains "}}"), embedded in string values.
//
// Evaluation follows Kargo's rules. Each expression is evaluated; a string
// result is inserted as is, any other result as JSON. The whole value is then
// coerced: a result wrapped in double quotes (what quote() produces) stays a
// string without the quotes; otherwise a number, then a bool
// (strconv.ParseBool spelling), then any other JSON value is tried; anything
// else stays a string. A string without delimiters is never touched, so "42"
// stays a string while "${{ 42 }}" becomes a number. Map keys are never
// evaluated.
//
// Deliberate differences from Kargo: quote() of a string does not add Go
// escape sequences, and results such as "NaN" or "Inf" stay strings because
// they are not JSON numbers.
package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/railyard/railyard"
)

// HasExpression reports whether s contains an expression delimiter.
func HasExpression(s string) bool {
	for _, d := range railyard.TemplateDelimiters {
		if strings.Contains(s, d[0]) {
			return true
		}
	}
	return false
}

// Template evaluates one template string and coerces the result as Kargo
// does. A string without delimiters is returned unchanged.
func (e *Evaluator) Template(tmpl string) (any, error) {
	if !HasExpression(tmpl) {
		return tmpl, nil
	}
	s, err := e.render(tmpl)
	if err != nil {
		return nil, err
	}
	return coerce(s), nil
}

// render replaces every expression of tmpl with its textual result.
func (e *Evaluator) render(tmpl string) (string, error) {
	var b strings.Builder
	for {
		before, code, after, err := railyard.NextExpression(tmpl)
		if err != nil {
			return "", err
		}
		b.WriteString(before)
		if code == "" && after == "" {
			return b.String(), nil
		}
		v, err := e.Eval(code, nil)
		if err != nil {
			return "", err
		}
		text, err := textOf(v)
		if err != nil {
			return "", fmt.Errorf("expression %q: %w", strings.TrimSpace(code), err)
		}
		b.WriteString(text)
		tmpl = after
	}
}

// textOf renders an expression result for insertion into a template.
func textOf(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// coerce turns a rendered template into a typed JSON value (Kargo's rule).
func coerce(s string) any {
	trimmed, hadNewline := strings.CutSuffix(s, "\n")
	if len(trimmed) > 1 && strings.HasPrefix(trimmed, `"`) && strings.HasSuffix(trimmed, `"`) {
		out := trimmed[1 : len(trimmed)-1]
		if hadNewline {
			out += "\n"
		}
		return out
	}
	if f, err := strconv.ParseFloat(trimmed, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f
	}
	if b, err := strconv.ParseBool(trimmed); err == nil {
		return b
	}
	var v any
	if err := json.Unmarshal([]byte(trimmed), &v); err == nil {
		return v
	}
	return s
}

// Value evaluates every string inside a decoded JSON tree (maps, slices,
// strings) and returns the new tree. Keys are not evaluated.
func (e *Evaluator) Value(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return e.Template(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			y, err := e.Value(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = y
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			y, err := e.Value(x)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = y
		}
		return out, nil
	}
	return v, nil
}

// JSON evaluates a JSON document (a step's config) and returns it re-encoded.
// An empty document stays empty.
func (e *Evaluator) JSON(raw json.RawMessage) (json.RawMessage, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return raw, nil
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("config is not valid JSON: %w", err)
	}
	out, err := e.Value(tree)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}
