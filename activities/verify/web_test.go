package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

// webServer answers like a small service under verification.
func webServer(t *testing.T, tlsServer bool) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0k" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"ok":true,"ratio":0.99,"checks":[{"name":"db","up":false}]}}`)
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if r.Header.Get("Content-Type") == "application/json" {
			_ = json.NewDecoder(r.Body).Decode(&in)
		} else {
			b, _ := io.ReadAll(r.Body)
			in = map[string]any{"text": string(b)}
		}
		json.NewEncoder(w).Encode(map[string]any{"got": in, "method": r.Method})
	})
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "healthy") })
	mux.HandleFunc("GET /down", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	var srv *httptest.Server
	if tlsServer {
		srv = httptest.NewTLSServer(mux)
	} else {
		srv = httptest.NewServer(mux)
	}
	t.Cleanup(srv.Close)
	if !strings.Contains(srv.URL, "127.0.0.1") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	return srv
}

func TestMeasureWeb(t *testing.T) {
	srv := webServer(t, false)
	auth := []railyard.WebMetricHeader{{Key: "Authorization", Value: "Bearer t0k"}}
	tests := []struct {
		name    string
		metric  railyard.Metric
		phase   railyard.AnalysisPhase
		value   string
		message string
	}{
		{name: "json path success", phase: railyard.AnalysisSuccessful, value: "0.99",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth, JSONPath: "{$.data.ratio}"},
				"result >= 0.95", "")},
		{name: "json path bool", phase: railyard.AnalysisSuccessful, value: "true",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth, JSONPath: "{$.data.ok}"}, "result", "")},
		{name: "list index failure", phase: railyard.AnalysisFailed, value: "false",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth, JSONPath: "{$.data.checks[0].up}"}, "result == true", "")},
		{name: "whole document", phase: railyard.AnalysisSuccessful,
			value:  `{"data":{"checks":[{"name":"db","up":false}],"ok":true,"ratio":0.99}}`,
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth}, "result.data.ok", "")},
		{name: "inconclusive", phase: railyard.AnalysisInconclusive, value: "0.99",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth, JSONPath: "{$.data.ratio}"},
				"result > 0.999", "result < 0.9")},
		{name: "json body", phase: railyard.AnalysisSuccessful, value: `{"stage":"uat"}`,
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/echo", Method: "post", JSONBody: json.RawMessage(`{"stage":"uat"}`),
				JSONPath: "{$.got}"}, `result.stage == "uat"`, "")},
		{name: "text body", phase: railyard.AnalysisSuccessful, value: `"hello"`,
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/echo", Method: "POST", Body: "hello", JSONPath: "{$.got.text}"},
				`result == "hello"`, "")},
		{name: "not json", phase: railyard.AnalysisSuccessful, value: "healthy",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/plain"}, `result == "healthy"`, "")},
		{name: "missing header", phase: railyard.AnalysisError, message: `analysis template "smoke": web metric "m": GET http`,
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health"}, "", "")},
		{name: "non-2xx", phase: railyard.AnalysisError, message: "received non-2xx response code 503: maintenance",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/down"}, "", "")},
		{name: "missing json path", phase: railyard.AnalysisError, message: "nope is not found",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth, JSONPath: "{$.data.nope}"}, "", "")},
		{name: "bad condition", phase: railyard.AnalysisError, value: "0.99", message: `successCondition "result >= "`,
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/health", Headers: auth, JSONPath: "{$.data.ratio}"}, "result >= ", "")},
		{name: "timeout", phase: railyard.AnalysisError, message: "deadline exceeded",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/slow", TimeoutSeconds: 1}, "", "")},
		{name: "unreachable", phase: railyard.AnalysisError, message: "connection refused",
			metric: webMetric(railyard.WebMetric{URL: "http://127.0.0.1:1/"}, "", "")},
		{name: "body with GET", phase: railyard.AnalysisError, message: "a body needs method POST or PUT",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/echo", Body: "x"}, "", "")},
		{name: "body and json body", phase: railyard.AnalysisError, message: "set body or jsonBody, not both",
			metric: webMetric(railyard.WebMetric{URL: srv.URL + "/echo", Method: "POST", Body: "x", JSONBody: json.RawMessage(`{}`)}, "", "")},
		{name: "no provider", phase: railyard.AnalysisError, message: `metric "m": no provider`,
			metric: railyard.Metric{Name: "m"}},
	}
	m := &Measurer{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.Measure(context.Background(), MeasureInput{Metric: tc.metric, Template: "smoke"})
			if err != nil {
				t.Fatal(err)
			}
			checkMeasurement(t, got, tc.phase, tc.value, tc.message)
		})
	}
}

func webMetric(w railyard.WebMetric, success, failure string) railyard.Metric {
	return railyard.Metric{Name: "m", SuccessCondition: success, FailureCondition: failure,
		Provider: railyard.MetricProvider{Web: &w}}
}

func checkMeasurement(t *testing.T, got Measurement, phase railyard.AnalysisPhase, value, message string) {
	t.Helper()
	if got.Phase != phase || (value != "" && got.Value != value) || !strings.Contains(got.Message, message) {
		t.Fatalf("got %+v\nwant phase %s, value %q, message containing %q", got, phase, value, message)
	}
	if got.StartedAt.IsZero() || got.FinishedAt.Before(got.StartedAt) {
		t.Fatalf("bad times: %v .. %v", got.StartedAt, got.FinishedAt)
	}
}

func TestMeasureWebTLS(t *testing.T) {
	srv := webServer(t, true)
	m := &Measurer{}
	metric := webMetric(railyard.WebMetric{URL: srv.URL + "/plain"}, `result == "healthy"`, "")
	got, err := m.Measure(context.Background(), MeasureInput{Metric: metric})
	if err != nil {
		t.Fatal(err)
	}
	checkMeasurement(t, got, railyard.AnalysisError, "", "certificate")
	metric.Provider.Web.Insecure = true
	if got, err = m.Measure(context.Background(), MeasureInput{Metric: metric}); err != nil {
		t.Fatal(err)
	}
	checkMeasurement(t, got, railyard.AnalysisSuccessful, "healthy", "")
}

func TestMeasureCancelled(t *testing.T) {
	srv := webServer(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Measurer{}).Measure(ctx, MeasureInput{Metric: webMetric(railyard.WebMetric{URL: srv.URL + "/plain"}, "", "")})
	if err == nil {
		t.Fatal("a cancelled measurement returned no error")
	}
}

// TestSecretKeyRefArgs: a valueFrom.secretKeyRef argument reaches the
// request, resolved on the worker, and is masked in what comes back.
func TestSecretKeyRefArgs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cr3t" {
			http.Error(w, "denied for "+r.Header.Get("Authorization"), http.StatusForbidden)
			return
		}
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer srv.Close()
	tmpl := railyard.AnalysisTemplate{Name: "auth", Spec: railyard.AnalysisTemplateSpec{
		Args: []railyard.AnalysisArg{{Name: "token", ValueFrom: json.RawMessage(`{"secretKeyRef":{"name":"api","key":"token"}}`)}},
		Metrics: []railyard.Metric{{Name: "m", SuccessCondition: "result.ok",
			Provider: railyard.MetricProvider{Web: &railyard.WebMetric{URL: srv.URL + "/{{args.token}}",
				Headers: []railyard.WebMetricHeader{{Key: "Authorization", Value: "Bearer {{args.token}}"}}}}}},
	}}
	plan, err := Plan("shop", []railyard.AnalysisTemplate{tmpl}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	planned, _ := json.Marshal(plan)
	if strings.Contains(string(planned), "s3cr3t") {
		t.Fatalf("the plan holds the secret: %s", planned)
	}
	tests := []struct {
		name    string
		secrets expr.SecretSource
		phase   railyard.AnalysisPhase
		message string
	}{
		{"resolved", expr.StaticSecrets{"shop": {"api": {"token": "s3cr3t"}}}, railyard.AnalysisSuccessful, ""},
		{"wrong value is masked", expr.StaticSecrets{"shop": {"api": {"token": "wrong"}}}, railyard.AnalysisError, "denied for Bearer ***"},
		{"missing key", expr.StaticSecrets{"shop": {"api": {}}}, railyard.AnalysisError, `has no key "token"`},
		{"no store", nil, railyard.AnalysisError, "no secrets are configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Measurer{Secrets: tc.secrets}
			got, err := m.Measure(context.Background(), MeasureInput{Metric: plan[0].Metric, Template: "auth"})
			if err != nil {
				t.Fatal(err)
			}
			if got.Phase != tc.phase || !strings.Contains(got.Message, tc.message) {
				t.Fatalf("got %s %q, want %s containing %q", got.Phase, got.Message, tc.phase, tc.message)
			}
		})
	}
}
