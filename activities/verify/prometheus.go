package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/railyard/railyard"
)

// DefaultPrometheusTimeout is a Prometheus metric's timeout when timeout is
// unset (Argo Rollouts' default).
const DefaultPrometheusTimeout = 30 * time.Second

// measurePrometheus runs the metric's instant query and evaluates the
// result: a scalar is a float64, a vector a []float64 with one value per
// series, a matrix a []float64 with every sample of every series (Argo
// Rollouts' conversion). An empty vector is an empty list, so `result[0]`
// fails and the measurement is an Error, as in Argo Rollouts.
func (m *Measurer) measurePrometheus(ctx context.Context, metric railyard.Metric) Measurement {
	prom := metric.Provider.Prometheus
	timeout := DefaultPrometheusTimeout
	switch {
	case prom.Timeout < 0:
		return errorMeasurement("prometheus metric %q: timeout must not be negative", metric.Name)
	case prom.Timeout > 0:
		timeout = time.Duration(prom.Timeout) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	data, warnings, err := m.promQuery(ctx, prom)
	if err != nil {
		return errorMeasurement("prometheus metric %q: %v", metric.Name, err)
	}
	result, value, err := promResult(data)
	if err != nil {
		return errorMeasurement("prometheus metric %q: %v", metric.Name, err)
	}
	out := evaluated(metric, result, value)
	if len(warnings) > 0 {
		out.Message = strings.TrimPrefix(out.Message+"; prometheus warnings: "+strings.Join(warnings, "; "), "; ")
	}
	return out
}

// promResponse is the envelope of Prometheus' HTTP API.
type promResponse struct {
	Status    string   `json:"status"`
	Data      promData `json:"data"`
	ErrorType string   `json:"errorType"`
	Error     string   `json:"error"`
	Warnings  []string `json:"warnings"`
}

// promData is a query result.
type promData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// promQuery sends GET <address>/api/v1/query?query=… and decodes the answer.
func (m *Measurer) promQuery(ctx context.Context, prom *railyard.PrometheusMetric) (promData, []string, error) {
	endpoint, err := promEndpoint(prom)
	if err != nil {
		return promData{}, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return promData{}, nil, err
	}
	for _, h := range prom.Headers {
		req.Header.Set(h.Key, h.Value)
	}
	resp, err := m.client(prom.Insecure).Do(req)
	if err != nil {
		return promData{}, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return promData{}, nil, fmt.Errorf("reading the response: %w", err)
	}
	var pr promResponse
	if err := json.Unmarshal(body, &pr); err != nil {
		return promData{}, nil, fmt.Errorf("query %q: HTTP %d, not a Prometheus API answer: %s", prom.Query, resp.StatusCode, snippet(body))
	}
	if pr.Status != "success" {
		return promData{}, nil, fmt.Errorf("query %q: HTTP %d: %s: %s", prom.Query, resp.StatusCode, pr.ErrorType, pr.Error)
	}
	return pr.Data, pr.Warnings, nil
}

// promEndpoint is the instant query URL of prom.
func promEndpoint(prom *railyard.PrometheusMetric) (string, error) {
	if prom.Address == "" {
		return "", errors.New("address is not set")
	}
	u, err := url.Parse(prom.Address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("address %q is not an http(s) URL", prom.Address)
	}
	u = u.JoinPath("api", "v1", "query")
	u.RawQuery = url.Values{"query": {prom.Query}}.Encode()
	return u.String(), nil
}

// promResult converts a query result into what conditions see and its text.
func promResult(d promData) (any, string, error) {
	switch d.ResultType {
	case "scalar":
		var sample [2]any
		if err := json.Unmarshal(d.Result, &sample); err != nil {
			return nil, "", fmt.Errorf("decoding a scalar: %w", err)
		}
		f, err := sampleValue(sample)
		if err != nil {
			return nil, "", err
		}
		return f, formatFloat(f), nil
	case "vector", "matrix":
		values, err := seriesValues(d)
		if err != nil {
			return nil, "", err
		}
		return values, formatFloats(values), nil
	}
	return nil, "", fmt.Errorf("result type %q is not supported (scalar, vector and matrix are)", d.ResultType)
}

// seriesValues flattens a vector or a matrix into its sample values.
func seriesValues(d promData) ([]float64, error) {
	var series []struct {
		Value  *[2]any  `json:"value"`
		Values [][2]any `json:"values"`
	}
	if err := json.Unmarshal(d.Result, &series); err != nil {
		return nil, fmt.Errorf("decoding a %s: %w", d.ResultType, err)
	}
	values := []float64{}
	for _, s := range series {
		samples := s.Values
		if s.Value != nil {
			samples = append(samples, *s.Value)
		}
		for _, sample := range samples {
			f, err := sampleValue(sample)
			if err != nil {
				return nil, err
			}
			values = append(values, f)
		}
	}
	return values, nil
}

// sampleValue parses the value of a [timestamp, "value"] pair.
func sampleValue(sample [2]any) (float64, error) {
	s, ok := sample[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", sample[1])
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("sample value %q: %w", s, err)
	}
	return f, nil
}

// formatFloat writes f as Prometheus does ("0.99", "NaN", "+Inf").
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// formatFloats writes values as "[0.99,1]".
func formatFloats(values []float64) string {
	parts := make([]string, len(values))
	for i, f := range values {
		parts[i] = formatFloat(f)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
