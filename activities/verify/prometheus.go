package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/railyard/railyard"
)

// DefaultPrometheusTimeout is a Prometheus metric's timeout when timeout is
// unset (Argo Rollouts' default).
const DefaultPrometheusTimeout = 30 * time.Second

// measurePrometheus runs the metric's query with Prometheus' own Go API
// client (an instant query, or a range query with rangeQuery) and evaluates
// the result: a scalar is a float64, a vector a []float64 with one value
// per series, a matrix a []float64 with every sample of every series (Argo
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
	value, warnings, err := m.promQuery(ctx, prom)
	if err != nil {
		return errorMeasurement("prometheus metric %q: %v", metric.Name, err)
	}
	result, text, err := promResult(value)
	if err != nil {
		return errorMeasurement("prometheus metric %q: %v", metric.Name, err)
	}
	out := evaluated(metric, result, text)
	if len(warnings) > 0 {
		out.Message = strings.TrimPrefix(out.Message+"; prometheus warnings: "+strings.Join(warnings, "; "), "; ")
	}
	return out
}

// promQuery runs the instant or range query.
func (m *Measurer) promQuery(ctx context.Context, prom *railyard.PrometheusMetric) (model.Value, promv1.Warnings, error) {
	api, err := m.promAPI(ctx, prom)
	if err != nil {
		return nil, nil, err
	}
	if prom.RangeQuery == nil {
		v, w, err := api.Query(ctx, prom.Query, time.Now())
		if err != nil {
			return nil, nil, fmt.Errorf("query %q: %w", prom.Query, err)
		}
		return v, w, nil
	}
	r, err := promRange(*prom.RangeQuery, time.Now())
	if err != nil {
		return nil, nil, err
	}
	v, w, err := api.QueryRange(ctx, prom.Query, r)
	if err != nil {
		return nil, nil, fmt.Errorf("range query %q: %w", prom.Query, err)
	}
	return v, w, nil
}

// promAPI builds the API client of prom's address, with its headers and
// authentication.
func (m *Measurer) promAPI(ctx context.Context, prom *railyard.PrometheusMetric) (promv1.API, error) {
	if prom.Address == "" {
		return nil, errors.New("address is not set")
	}
	u, err := url.Parse(prom.Address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("address %q is not an http(s) URL", prom.Address)
	}
	base := m.client(prom.Insecure).Transport
	if base == nil {
		base = http.DefaultTransport
	}
	var rt http.RoundTripper = headerTransport{base: base, headers: prom.Headers, auth: prom.Authentication}
	if a := prom.Authentication; a != nil && a.OAuth2 != nil {
		cc := clientcredentials.Config{ClientID: a.OAuth2.ClientID, ClientSecret: a.OAuth2.ClientSecret,
			TokenURL: a.OAuth2.TokenURL, Scopes: a.OAuth2.Scopes}
		tokenCtx := context.WithValue(ctx, oauth2HTTPClient, &http.Client{Transport: base})
		rt = &oauth2.Transport{Base: rt, Source: cc.TokenSource(tokenCtx)}
	}
	c, err := promapi.NewClient(promapi.Config{Address: prom.Address, RoundTripper: rt})
	if err != nil {
		return nil, err
	}
	return promv1.NewAPI(c), nil
}

// promRange evaluates a range query's start and end expressions (expr-lang,
// with now() and duration()) and parses its step.
func promRange(q railyard.PrometheusRangeQuery, now time.Time) (promv1.Range, error) {
	at := func(field, code string) (time.Time, error) {
		if strings.TrimSpace(code) == "" {
			return now, nil
		}
		v, err := expr.Eval(code, nil)
		if err != nil {
			return time.Time{}, fmt.Errorf("rangeQuery.%s %q: %w", field, code, err)
		}
		t, ok := v.(time.Time)
		if !ok {
			return time.Time{}, fmt.Errorf("rangeQuery.%s %q gives %T, not a time", field, code, v)
		}
		return t, nil
	}
	start, err := at("start", q.Start)
	if err != nil {
		return promv1.Range{}, err
	}
	end, err := at("end", q.End)
	if err != nil {
		return promv1.Range{}, err
	}
	step, err := model.ParseDuration(q.Step)
	if err != nil || step <= 0 {
		return promv1.Range{}, fmt.Errorf("rangeQuery.step %q is not a positive duration", q.Step)
	}
	if end.Before(start) {
		return promv1.Range{}, fmt.Errorf("rangeQuery ends (%s) before it starts (%s)", end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	return promv1.Range{Start: start, End: end, Step: time.Duration(step)}, nil
}

// promResult converts a query result into what conditions see and its text.
func promResult(v model.Value) (any, string, error) {
	switch x := v.(type) {
	case *model.Scalar:
		f := float64(x.Value)
		return f, formatFloat(f), nil
	case model.Vector:
		values := make([]float64, 0, len(x))
		for _, s := range x {
			values = append(values, float64(s.Value))
		}
		return values, formatFloats(values), nil
	case model.Matrix:
		values := []float64{}
		for _, s := range x {
			for _, p := range s.Values {
				values = append(values, float64(p.Value))
			}
		}
		return values, formatFloats(values), nil
	case nil:
		return nil, "", errors.New("no result")
	}
	return nil, "", fmt.Errorf("result type %q is not supported (scalar, vector and matrix are)", v.Type())
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
