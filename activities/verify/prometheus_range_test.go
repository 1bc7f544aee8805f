package verify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/internal/testenv"
)

// guarded serves Prometheus behind a reverse proxy that requires the
// Authorization header want.
func guarded(t *testing.T, prom, want string) string {
	t.Helper()
	target, _ := url.Parse(prom)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// tokenServer is an OAuth2 token endpoint granting "t0ken" to client
// "railyard" with secret "s3cret".
func tokenServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, _ := r.BasicAuth()
		if r.Form.Get("grant_type") != "client_credentials" || id != "railyard" || secret != "s3cret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "t0ken", "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPrometheusRangeQueryAndAuth(t *testing.T) {
	prom := testenv.StartPrometheus(t, exporter(t))
	time.Sleep(2 * time.Second)                     // a few scrapes for the range
	basic := guarded(t, prom, "Basic dXNlcjpwYXNz") // user:pass
	bearer := guarded(t, prom, "Bearer t0ken")
	tokens := tokenServer(t)
	rangeQ := &railyard.PrometheusRangeQuery{Start: `now() - duration("30s")`, End: "now()", Step: "1s"}
	tests := []struct {
		name    string
		prom    railyard.PrometheusMetric
		success string
		phase   railyard.AnalysisPhase
		message string
	}{
		{name: "range query gives every sample", prom: railyard.PrometheusMetric{Address: prom, Query: "demo_error_ratio", RangeQuery: rangeQ},
			success: "len(result) >= 2 && all(result, # == 0.2)", phase: railyard.AnalysisSuccessful},
		{name: "bad step", prom: railyard.PrometheusMetric{Address: prom, Query: "up",
			RangeQuery: &railyard.PrometheusRangeQuery{Start: `now() - duration("1m")`, Step: "often"}}, phase: railyard.AnalysisError, message: "rangeQuery.step"},
		{name: "start after end", prom: railyard.PrometheusMetric{Address: prom, Query: "up",
			RangeQuery: &railyard.PrometheusRangeQuery{Start: "now()", End: `now() - duration("1h")`, Step: "1m"}}, phase: railyard.AnalysisError, message: "before it starts"},
		{name: "start not a time", prom: railyard.PrometheusMetric{Address: prom, Query: "up",
			RangeQuery: &railyard.PrometheusRangeQuery{Start: `"yesterday"`, Step: "1m"}}, phase: railyard.AnalysisError, message: "not a time"},
		{name: "basic auth", prom: railyard.PrometheusMetric{Address: basic, Query: "demo_error_ratio",
			Authentication: &railyard.MetricAuthentication{BasicAuth: &railyard.BasicAuth{Username: "user", Password: "pass"}}},
			success: "result[0] == 0.2", phase: railyard.AnalysisSuccessful},
		{name: "basic auth refused", prom: railyard.PrometheusMetric{Address: basic, Query: "demo_error_ratio"},
			success: "true", phase: railyard.AnalysisError, message: "401"},
		{name: "oauth2 bearer", prom: railyard.PrometheusMetric{Address: bearer, Query: "demo_error_ratio",
			Authentication: &railyard.MetricAuthentication{OAuth2: &railyard.OAuth2Config{TokenURL: tokens, ClientID: "railyard", ClientSecret: "s3cret"}}},
			success: "result[0] == 0.2", phase: railyard.AnalysisSuccessful},
		{name: "oauth2 bad secret", prom: railyard.PrometheusMetric{Address: bearer, Query: "demo_error_ratio",
			Authentication: &railyard.MetricAuthentication{OAuth2: &railyard.OAuth2Config{TokenURL: tokens, ClientID: "railyard", ClientSecret: "nope"}}},
			success: "true", phase: railyard.AnalysisError, message: "invalid_client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.prom
			p.Timeout = 5
			metric := railyard.Metric{Name: "m", SuccessCondition: tc.success,
				Provider: railyard.MetricProvider{Prometheus: &p}}
			got, err := (&Measurer{}).Measure(context.Background(), MeasureInput{Metric: metric})
			if err != nil {
				t.Fatal(err)
			}
			if got.Phase != tc.phase || !strings.Contains(got.Message, tc.message) {
				t.Fatalf("got %s %q (value %s), want %s containing %q", got.Phase, got.Message, got.Value, tc.phase, tc.message)
			}
		})
	}
}
