package config

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/parser"

	railyard "github.com/railyard/railyard"
)

// checkExpression reports a bare expr-lang expression that does not parse
// or that calls a function Kargo does not have, one not available in scope
// (railyard.Scope*), or with the wrong number of arguments. Variables are
// resolved when evaluated.
func checkExpression(r *report, src source, field, scope, expression string) {
	if strings.TrimSpace(expression) == "" {
		return
	}
	tree, err := parser.Parse(expression)
	if err != nil {
		r.add(src, field, "expression does not parse: %s", oneLine(err.Error()))
		return
	}
	if msg := checkCalls(tree.Node, scope); msg != "" {
		r.add(src, field, "%s", msg)
	}
}

// callChecker finds the first call of an unknown function, of one Railyard
// does not evaluate yet, or with the wrong number of arguments.
type callChecker struct{ msg, scope string }

func (c *callChecker) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || c.msg != "" {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return // a method, such as semverParse(v).Major()
	}
	if _, ok := builtin.Index[id.Value]; ok {
		return // expr-lang's own functions (len, filter, upper …)
	}
	f, ok := railyard.LookupExpressionFunction(id.Value)
	n := len(call.Arguments)
	switch {
	case !ok:
		c.msg = fmt.Sprintf("unknown function %s()", id.Value)
	case !f.Supported:
		c.msg = fmt.Sprintf("function %s() is not supported yet", id.Value)
	case !f.AvailableIn(c.scope):
		c.msg = fmt.Sprintf("function %s() is not available in %s", id.Value, c.scope)
	case n < f.MinArgs || n > f.MaxArgs:
		c.msg = fmt.Sprintf("function %s() takes %s, not %d", id.Value, arity(f), n)
	}
}

func arity(f railyard.ExpressionFunction) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	if f.MinArgs == f.MaxArgs {
		return plural(f.MinArgs)
	}
	return fmt.Sprintf("%d to %s", f.MinArgs, plural(f.MaxArgs))
}

// checkCalls returns what is wrong with the function calls in node, or "".
func checkCalls(node ast.Node, scope string) string {
	c := &callChecker{scope: scope}
	ast.Walk(&node, c)
	return c.msg
}

// checkTemplate reports expressions in s (between either pair of
// railyard.TemplateDelimiters) that are not closed, are empty, do not parse
// or call functions wrongly (see checkExpression).
func checkTemplate(r *report, src source, field, scope, s string) {
	for {
		_, code, after, err := railyard.NextExpression(s)
		if err != nil {
			r.add(src, field, "%s", err)
			return
		}
		if code == "" {
			return
		}
		tree, err := parser.Parse(code)
		if err != nil {
			r.add(src, field, "expression %q does not parse: %s", strings.TrimSpace(code), oneLine(err.Error()))
			return
		}
		if msg := checkCalls(tree.Node, scope); msg != "" {
			r.add(src, field, "expression %q: %s", strings.TrimSpace(code), msg)
			return
		}
		s = after
	}
}

// checkConfigTemplates checks the expressions in every string of a step's
// config. The config must be an object.
func checkConfigTemplates(r *report, src source, field string, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return
	}
	if _, ok := v.(map[string]any); !ok && v != nil {
		r.add(src, field, "must be an object")
		return
	}
	walkStrings(v, field, func(path, s string) { checkTemplate(r, src, path, railyard.ScopeSteps, s) })
}

func walkStrings(v any, path string, fn func(path, s string)) {
	switch x := v.(type) {
	case string:
		fn(path, x)
	case []any:
		for i, item := range x {
			walkStrings(item, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], join(path, k), fn)
		}
	}
}

func oneLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
