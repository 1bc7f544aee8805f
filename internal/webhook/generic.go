package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	exprlang "github.com/expr-lang/expr"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

// genericRequest is `request` in a generic receiver's expressions.
type genericRequest struct {
	Header  func(string) string   `expr:"header"`
	Headers func(string) []string `expr:"headers"`
	Body    any                   `expr:"body"`
	Method  string                `expr:"method"`
	URL     string                `expr:"url"`
}

var normalizers = []exprlang.Option{
	exprlang.Function("normalizeGit", func(a ...any) (any, error) { return norm("git", a) }, new(func(string) string)),
	exprlang.Function("normalizeImage", func(a ...any) (any, error) { return norm("image", a) }, new(func(string) string)),
	exprlang.Function("normalizeChart", func(a ...any) (any, error) { return norm("chart", a) }, new(func(string) string)),
	exprlang.Function("normalize", func(a ...any) (any, error) {
		if len(a) != 2 {
			return nil, fmt.Errorf("normalize(kind, url) takes two arguments")
		}
		return norm(fmt.Sprint(a[0]), a[1:])
	}, new(func(string, string) string)),
}

func norm(kind string, a []any) (any, error) {
	if len(a) != 1 {
		return nil, fmt.Errorf("normalize%s(url) takes one argument", kind)
	}
	return railyard.NormalizeRepoURL(kind, fmt.Sprint(a[0])), nil
}

// generic evaluates a generic receiver's actions. The URL is its only
// credential; the body must be JSON (an empty body is an empty object).
func generic(ep *endpoint, r *http.Request, body []byte) (event, error) {
	var parsed any = map[string]any{}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := parseJSON(body, &parsed); err != nil {
			return event{}, err
		}
	}
	req := genericRequest{
		Header:  func(k string) string { return r.Header.Get(k) },
		Headers: func(k string) []string { return append([]string{}, r.Header.Values(k)...) },
		Body:    parsed, Method: r.Method, URL: r.URL.Path,
	}
	ev := event{warehouses: []string{}}
	for i, a := range ep.receiver.Generic.Actions {
		names, err := runAction(ep, a, req)
		if err != nil {
			return event{}, reject(http.StatusBadRequest, "actions[%d]: %s", i, oneLine(err.Error()))
		}
		for _, n := range names {
			if !slices.Contains(ev.warehouses, n) {
				ev.warehouses = append(ev.warehouses, n)
			}
		}
	}
	return ev, nil
}

func runAction(ep *endpoint, a railyard.GenericWebhookAction, req genericRequest) ([]string, error) {
	ev := expr.New(map[string]any{"request": req}, normalizers)
	params := map[string]any{}
	for k, v := range a.Parameters {
		out, err := ev.Template(v)
		if err != nil {
			return nil, fmt.Errorf("parameters.%s: %w", k, err)
		}
		params[k] = out
	}
	ev = ev.With(map[string]any{"params": params})
	if c := a.Condition(); strings.TrimSpace(c) != "" {
		ok, err := ev.Bool(c)
		if err != nil {
			return nil, fmt.Errorf("whenExpression: %w", err)
		}
		if !ok {
			return nil, nil
		}
	}
	var out []string
	for _, t := range a.AllTargets() {
		sel, err := selectWarehouses(ep, ev, t)
		if err != nil {
			return nil, err
		}
		out = append(out, sel...)
	}
	return out, nil
}

func selectWarehouses(ep *endpoint, ev *expr.Evaluator, t railyard.GenericWebhookTarget) ([]string, error) {
	name := ""
	if t.Name != "" {
		v, err := ev.Template(t.Name)
		if err != nil {
			return nil, fmt.Errorf("name: %w", err)
		}
		name = fmt.Sprint(v)
	}
	type req struct {
		equal bool
		value string
	}
	var reqs []req
	if t.IndexSelector != nil {
		for _, q := range t.IndexSelector.Requirements() {
			v, err := ev.Template(q.Value)
			if err != nil {
				return nil, fmt.Errorf("indexSelector value: %w", err)
			}
			s, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				s = string(b)
			}
			reqs = append(reqs, req{equal: !strings.HasPrefix(q.Operator, "Not"), value: s})
		}
	}
	var labels *railyard.LabelSelector
	if t.LabelSelector != nil {
		var err error
		if labels, err = evalLabelSelector(ev, *t.LabelSelector); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, w := range ep.warehouses {
		if (name != "" && w.Name != name) || (labels != nil && !labels.Matches(w.Labels)) {
			continue
		}
		urls := w.Spec.SubscribedURLs()
		match := true
		for _, q := range reqs {
			if slices.Contains(urls, q.value) != q.equal {
				match = false
			}
		}
		if match {
			out = append(out, w.Name)
		}
	}
	return out, nil
}

// evalLabelSelector evaluates the expressions in a label selector's values.
func evalLabelSelector(ev *expr.Evaluator, sel railyard.LabelSelector) (*railyard.LabelSelector, error) {
	out := railyard.LabelSelector{MatchLabels: sel.MatchLabels}
	for _, e := range sel.MatchExpressions {
		values := make([]string, 0, len(e.Values))
		for _, v := range e.Values {
			x, err := ev.Template(v)
			if err != nil {
				return nil, fmt.Errorf("labelSelector value: %w", err)
			}
			values = append(values, fmt.Sprint(x))
		}
		e.Values = values
		out.MatchExpressions = append(out.MatchExpressions, e)
	}
	return &out, nil
}
