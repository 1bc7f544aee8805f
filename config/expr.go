package config

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/expr-lang/expr/parser"
)

// checkExpression reports a bare expr-lang expression that does not parse.
// Only syntax is checked: names and functions are resolved when evaluated.
func checkExpression(r *report, src source, field, expression string) {
	if strings.TrimSpace(expression) == "" {
		return
	}
	if _, err := parser.Parse(expression); err != nil {
		r.add(src, field, "expression does not parse: %s", oneLine(err.Error()))
	}
}

// checkTemplate reports ${{ … }} expressions in s that do not parse.
func checkTemplate(r *report, src source, field, s string) {
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			return
		}
		s = s[i+3:]
		j := strings.Index(s, "}}")
		if j < 0 {
			r.add(src, field, "\"${{\" is not closed by \"}}\"")
			return
		}
		if _, err := parser.Parse(s[:j]); err != nil {
			r.add(src, field, "expression %q does not parse: %s", strings.TrimSpace(s[:j]), oneLine(err.Error()))
			return
		}
		s = s[j+2:]
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
	walkStrings(v, field, func(path, s string) { checkTemplate(r, src, path, s) })
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
