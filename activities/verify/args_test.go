package verify

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

func ptr(s string) *string { return &s }

func TestResolveArgs(t *testing.T) {
	tmpl := railyard.AnalysisTemplate{Name: "smoke", Spec: railyard.AnalysisTemplateSpec{Args: []railyard.AnalysisArg{
		{Name: "service"},
		{Name: "threshold", Value: ptr("0.95")},
	}}}
	secret := railyard.AnalysisTemplate{Name: "auth", Spec: railyard.AnalysisTemplateSpec{Args: []railyard.AnalysisArg{
		{Name: "token", ValueFrom: json.RawMessage(`{"secretKeyRef":{"name":"s","key":"k"}}`)},
	}}}
	fieldRef := railyard.AnalysisTemplate{Name: "pod", Spec: railyard.AnalysisTemplateSpec{Args: []railyard.AnalysisArg{
		{Name: "ip", ValueFrom: json.RawMessage(`{"fieldRef":{"fieldPath":"status.podIP"}}`)},
	}}}
	ev := expr.New(map[string]any{
		"ctx":  map[string]any{"project": "demo", "stage": "uat"},
		"vars": map[string]any{"port": 8080},
	})
	tests := []struct {
		name    string
		tmpl    railyard.AnalysisTemplate
		args    []railyard.AnalysisRunArgument
		eval    func(string) (string, error)
		want    map[string]string
		wantErr string
	}{
		{name: "defaults and overrides", tmpl: tmpl,
			args: []railyard.AnalysisRunArgument{{Name: "service", Value: "web"}, {Name: "unused", Value: "x"}},
			want: map[string]string{"service": "web", "threshold": "0.95"}},
		{name: "stage overrides a default", tmpl: tmpl,
			args: []railyard.AnalysisRunArgument{{Name: "service", Value: "web"}, {Name: "threshold", Value: "0.5"}},
			want: map[string]string{"service": "web", "threshold": "0.5"}},
		{name: "expressions", tmpl: tmpl, eval: EvalFunc(ev),
			args: []railyard.AnalysisRunArgument{{Name: "service", Value: "${{ ctx.stage }}-${{ ctx.project }}:${{ vars.port }}"},
				{Name: "threshold", Value: "${{ 1 + 2 }}"}},
			want: map[string]string{"service": "uat-demo:8080", "threshold": "3"}},
		{name: "bad expression", tmpl: tmpl, eval: EvalFunc(ev),
			args:    []railyard.AnalysisRunArgument{{Name: "service", Value: "${{ nope( }}"}},
			wantErr: `analysis template "smoke": argument "service": expression`},
		{name: "missing", tmpl: tmpl,
			wantErr: `analysis template "smoke": argument "service": no value`},
		{name: "secretKeyRef is a placeholder", tmpl: secret,
			want: map[string]string{"token": "{{secretKeyRef:p/s/k}}"}},
		{name: "fieldRef", tmpl: fieldRef,
			wantErr: `analysis template "pod": argument "ip": valueFrom.fieldRef is not supported yet`},
		{name: "valueFrom given by the stage", tmpl: secret,
			args: []railyard.AnalysisRunArgument{{Name: "token", Value: "t"}},
			want: map[string]string{"token": "t"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveArgs("p", tc.tmpl, tc.args, tc.eval)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalMaps(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := ResolveArgs("p", fieldRef, nil, nil); !errors.Is(err, ErrNotSupported) {
		t.Errorf("valueFrom error %v is not ErrNotSupported", err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestSubstitute(t *testing.T) {
	args := map[string]string{"service": "web", "q": `a"b`}
	tests := []struct{ in, want string }{
		{"http://{{args.service}}/health", "http://web/health"},
		{"http://{{ args.service }}/{{  args.service}}", "http://web/web"},
		{"{{args.unknown}} {{workflow.name}} {{args.service}}", "{{args.unknown}} {{workflow.name}} web"},
		{`q="{{args.q}}"`, `q="a"b"`},
		{"no placeholders {{ unclosed", "no placeholders {{ unclosed"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Substitute(tc.in, args); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSubstituteMetric(t *testing.T) {
	count := railyard.IntOrString("{{args.count}}")
	m := railyard.Metric{
		Name:             "ok",
		Interval:         "{{ args.interval }}",
		Count:            &count,
		SuccessCondition: `result == "{{args.want}}"`,
		Provider: railyard.MetricProvider{Web: &railyard.WebMetric{
			URL:      "http://{{args.host}}/ok",
			Headers:  []railyard.WebMetricHeader{{Key: "X-Stage", Value: "{{args.want}}"}},
			JSONBody: json.RawMessage(`{"stage":"{{args.want}}"}`),
		}},
	}
	args := map[string]string{"count": "3", "interval": "5s", "want": `say "hi"`, "host": "127.0.0.1:1"}
	got, err := SubstituteMetric(m, args)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"interval":  {string(got.Interval), "5s"},
		"condition": {got.SuccessCondition, `result == "say "hi""`},
		"url":       {got.Provider.Web.URL, "http://127.0.0.1:1/ok"},
		"header":    {got.Provider.Web.Headers[0].Value, `say "hi"`},
		"jsonBody":  {string(got.Provider.Web.JSONBody), `{"stage":"say \"hi\""}`},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if n := got.Count.Int(0); n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	if _, err := SubstituteMetric(m, map[string]string{"count": "1"}); err == nil ||
		!strings.Contains(err.Error(), `metric "ok": unknown argument(s) interval, want, host:`) {
		t.Errorf("missing args: error = %v", err)
	}
}
