package verify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// exporter serves the metrics of a demo service in Prometheus text format.
func exporter(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, "# TYPE demo_success_ratio gauge\n"+
			"demo_success_ratio{instance_id=\"a\"} 0.99\n"+
			"demo_success_ratio{instance_id=\"b\"} 0.97\n"+
			"# TYPE demo_error_ratio gauge\n"+
			"demo_error_ratio 0.2\n")
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestMeasurePrometheus(t *testing.T) {
	addr := testenv.StartPrometheus(t, exporter(t))
	tests := []struct {
		name, query, success, failure string
		phase                         railyard.AnalysisPhase
		value, message                string
		address                       string
	}{
		{name: "vector success", query: `demo_success_ratio{instance_id="a"}`, success: "result[0] >= 0.95",
			phase: railyard.AnalysisSuccessful, value: "[0.99]"},
		{name: "all series", query: `sort(demo_success_ratio)`, success: "all(result, # >= 0.95) && len(result) == 2",
			phase: railyard.AnalysisSuccessful, value: "[0.97,0.99]"},
		{name: "vector failure", query: "demo_error_ratio", success: "result[0] <= 0.05",
			phase: railyard.AnalysisFailed, value: "[0.2]"},
		{name: "failure condition", query: "demo_error_ratio", failure: "result[0] > 0.1",
			phase: railyard.AnalysisFailed, value: "[0.2]"},
		{name: "inconclusive", query: "demo_error_ratio", success: "result[0] < 0.1", failure: "result[0] > 0.5",
			phase: railyard.AnalysisInconclusive, value: "[0.2]"},
		{name: "scalar", query: "scalar(demo_error_ratio) * 5", success: "result == 1",
			phase: railyard.AnalysisSuccessful, value: "1"},
		{name: "empty vector", query: "demo_missing_metric", success: "result[0] >= 0.95",
			phase: railyard.AnalysisError, value: "[]", message: "the result is empty"},
		{name: "empty vector tolerated", query: "demo_missing_metric", success: "len(result) == 0 || result[0] >= 0.95",
			phase: railyard.AnalysisSuccessful, value: "[]"},
		{name: "bad query", query: "sum(", phase: railyard.AnalysisError, message: "bad_data"},
		{name: "string result", query: `"text"`, phase: railyard.AnalysisError, message: `unexpected value type "string"`},
		{name: "unreachable", query: "up", address: "http://127.0.0.1:1", phase: railyard.AnalysisError, message: "connection refused"},
		{name: "not a URL", query: "up", address: "127.0.0.1:9090", phase: railyard.AnalysisError, message: "is not an http(s) URL"},
	}
	m := &Measurer{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			address := tc.address
			if address == "" {
				address = addr
			}
			metric := railyard.Metric{Name: "m", SuccessCondition: tc.success, FailureCondition: tc.failure,
				Provider: railyard.MetricProvider{Prometheus: &railyard.PrometheusMetric{
					Address: address, Query: tc.query, Timeout: 5,
					Headers: []railyard.WebMetricHeader{{Key: "X-Scope-OrgID", Value: "railyard"}}}}}
			got, err := m.Measure(context.Background(), MeasureInput{Metric: metric})
			if err != nil {
				t.Fatal(err)
			}
			checkMeasurement(t, got, tc.phase, tc.value, tc.message)
		})
	}
	t.Run("run of three", func(t *testing.T) { testPrometheusRun(t, addr) })
}

// testPrometheusRun takes the measurements a workflow would for a templated
// metric with count 3, without waiting between them.
func testPrometheusRun(t *testing.T, addr string) {
	tmpl := railyard.AnalysisTemplate{Name: "success-rate", Spec: railyard.AnalysisTemplateSpec{
		Args: []railyard.AnalysisArg{{Name: "address"}, {Name: "instance"}, {Name: "count", Value: ptr("3")}},
		Metrics: []railyard.Metric{{
			Name: "success-rate", Interval: "1s", Count: ios("{{args.count}}"),
			SuccessCondition: "result[0] >= 0.95",
			Provider: railyard.MetricProvider{Prometheus: &railyard.PrometheusMetric{
				Address: "{{args.address}}", Query: `demo_success_ratio{instance_id="{{ args.instance }}"}`}},
		}},
	}}
	args, err := ResolveArgs("p", tmpl, []railyard.AnalysisRunArgument{{Name: "address", Value: addr}, {Name: "instance", Value: "b"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	metric, err := SubstituteMetric(tmpl.Spec.Metrics[0], args)
	if err != nil {
		t.Fatal(err)
	}
	var run MetricRun
	for range 10 {
		got, err := (&Measurer{}).Measure(context.Background(), MeasureInput{Metric: metric, Template: tmpl.Name})
		if err != nil {
			t.Fatal(err)
		}
		run.Record(got)
		if done, phase, msg := run.Decide(metric); done {
			if phase != railyard.AnalysisSuccessful || run.Count != 3 {
				t.Fatalf("run ended %s after %d measurements: %s", phase, run.Count, msg)
			}
			if railyard.Combine(phase, railyard.AnalysisSuccessful) != railyard.AnalysisSuccessful {
				t.Fatal("Combine of successes is not Successful")
			}
			return
		}
	}
	t.Fatalf("run did not end: %+v", run)
}
