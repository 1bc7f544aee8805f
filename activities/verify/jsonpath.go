package verify

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONPath picks one value out of a decoded JSON document with the subset of
// Kubernetes JSONPath that web metrics use: one expression in braces, from
// the root `$` (which may be left out), through object keys and list
// indexes:
//
//	{$}  {$.data}  {.data}  {$.data.ok}  {$.items[0].value}  {$.items[-1]}
//	{$['a key'].b}  {$.a["b.c"]}
//
// Not supported: filters, wildcards, slices, recursive descent, ranges and
// text around the braces. An empty path means {$}.
func JSONPath(doc any, path string) (any, error) {
	steps, err := parseJSONPath(path)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, s := range steps {
		if cur, err = s.apply(cur); err != nil {
			return nil, fmt.Errorf("jsonPath %s: %w", path, err)
		}
	}
	return cur, nil
}

// pathStep is one object key or, with isIndex, one list index.
type pathStep struct {
	key     string
	index   int
	isIndex bool
}

func (s pathStep) apply(v any) (any, error) {
	if s.isIndex {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("[%d]: not a list", s.index)
		}
		i := s.index
		if i < 0 {
			i += len(list)
		}
		if i < 0 || i >= len(list) {
			return nil, fmt.Errorf("[%d]: index out of range (length %d)", s.index, len(list))
		}
		return list[i], nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%q: not an object", s.key)
	}
	val, ok := obj[s.key]
	if !ok {
		return nil, fmt.Errorf("%q is not found", s.key)
	}
	return val, nil
}

// parseJSONPath splits `{$.a[0]['b']}` into steps.
func parseJSONPath(path string) ([]pathStep, error) {
	p := strings.TrimSpace(path)
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "{") || !strings.HasSuffix(p, "}") {
		return nil, fmt.Errorf("jsonPath %q: wrap the expression in braces, like {$.data.ok}", path)
	}
	rest := strings.TrimPrefix(strings.TrimSpace(p[1:len(p)-1]), "$")
	var steps []pathStep
	for rest != "" {
		step, n, err := nextStep(rest)
		if err != nil {
			return nil, fmt.Errorf("jsonPath %q: %w (supported: {$.a.b}, {$.a[0].b}, {$['a'].b}, {$})", path, err)
		}
		steps = append(steps, step)
		rest = rest[n:]
	}
	return steps, nil
}

// nextStep parses the step at the start of s and returns its length.
func nextStep(s string) (pathStep, int, error) {
	switch s[0] {
	case '.':
		end := strings.IndexAny(s[1:], ".[")
		if end < 0 {
			end = len(s) - 1
		}
		key := s[1 : 1+end]
		if key == "" || strings.ContainsAny(key, "*?@() ") {
			return pathStep{}, 0, fmt.Errorf("unsupported key %q", key)
		}
		return pathStep{key: key}, 1 + end, nil
	case '[':
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return pathStep{}, 0, fmt.Errorf("unclosed [")
		}
		return bracketStep(s[1:end], end+1)
	}
	return pathStep{}, 0, fmt.Errorf("unexpected %q", s)
}

// bracketStep parses the inside of [...]: an index or a quoted key.
func bracketStep(in string, n int) (pathStep, int, error) {
	in = strings.TrimSpace(in)
	if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0] {
		return pathStep{key: in[1 : len(in)-1]}, n, nil
	}
	i, err := strconv.Atoi(in)
	if err != nil {
		return pathStep{}, 0, fmt.Errorf("unsupported [%s]: only an index or a quoted key", in)
	}
	return pathStep{index: i, isIndex: true}, n, nil
}
