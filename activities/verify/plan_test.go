package verify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func TestPlan(t *testing.T) {
	web := func(name, url string) railyard.Metric {
		return railyard.Metric{Name: name, Provider: railyard.MetricProvider{Web: &railyard.WebMetric{URL: url}}}
	}
	a := railyard.AnalysisTemplate{Name: "a", Spec: railyard.AnalysisTemplateSpec{
		Args:    []railyard.AnalysisArg{{Name: "host"}},
		Metrics: []railyard.Metric{web("health", "http://{{args.host}}/health")}}}
	b := railyard.AnalysisTemplate{Name: "b", Spec: railyard.AnalysisTemplateSpec{
		Args:    []railyard.AnalysisArg{{Name: "host"}, {Name: "path", Value: ptr("ready")}},
		Metrics: []railyard.Metric{web("ready", "http://{{args.host}}/{{args.path}}")}}}
	dup := railyard.AnalysisTemplate{Name: "dup", Spec: railyard.AnalysisTemplateSpec{
		Metrics: []railyard.Metric{web("health", "http://x")}}}
	undeclared := railyard.AnalysisTemplate{Name: "u", Spec: railyard.AnalysisTemplateSpec{
		Metrics: []railyard.Metric{web("m", "http://{{args.host}}")}}}
	dry := railyard.AnalysisTemplate{Name: "d", Spec: railyard.AnalysisTemplateSpec{
		DryRun:  []railyard.DryRunMetric{{MetricName: "err.*"}},
		Metrics: []railyard.Metric{web("errors", "http://x/e"), web("latency", "http://x/l")}}}
	kept := railyard.AnalysisTemplate{Name: "k", Spec: railyard.AnalysisTemplateSpec{
		MeasurementRetention: []railyard.MeasurementRetention{{MetricName: "lat.*", Limit: 30}, {MetricName: ".*", Limit: 5}},
		Metrics:              []railyard.Metric{web("errors", "http://x/e"), web("latency", "http://x/l")}}}
	args := []railyard.AnalysisRunArgument{{Name: "host", Value: "svc"}}
	tests := []struct {
		name      string
		templates []railyard.AnalysisTemplate
		want      []string
		wantErr   string
	}{
		{name: "two templates", templates: []railyard.AnalysisTemplate{a, b},
			want: []string{"a/health http://svc/health", "b/ready http://svc/ready"}},
		{name: "duplicate metric", templates: []railyard.AnalysisTemplate{a, dup},
			wantErr: `analysis templates "a" and "dup" both have a metric "health"`},
		{name: "dry run marks the metrics it names", templates: []railyard.AnalysisTemplate{dry},
			want: []string{"d/errors http://x/e dry", "d/latency http://x/l"}},
		{name: "measurementRetention: the first entry naming the metric", templates: []railyard.AnalysisTemplate{kept},
			want: []string{"k/errors http://x/e keep 5", "k/latency http://x/l keep 30"}},
		{name: "undeclared argument", templates: []railyard.AnalysisTemplate{undeclared},
			wantErr: `analysis template "u": metric "m": unknown argument(s) host`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Plan("p", tc.templates, args, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, p := range got {
				line := p.Template + "/" + p.Metric.Name + " " + p.Metric.Provider.Web.URL
				if p.Metric.DryRun {
					line += " dry"
				}
				if p.Metric.Retention > 0 {
					line += fmt.Sprintf(" keep %d", p.Metric.Retention)
				}
				lines = append(lines, line)
			}
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got %q, want %q", lines, tc.want)
			}
		})
	}
}

func ios(s string) *railyard.IntOrString { v := railyard.IntOrString(s); return &v }
