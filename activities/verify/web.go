package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/railyard/railyard"
)

const (
	// DefaultWebTimeout is a web metric's timeout when timeoutSeconds is unset.
	DefaultWebTimeout = 10 * time.Second
	// maxResponse bounds the response bodies read.
	maxResponse = 10 << 20
)

// measureWeb sends the web metric's request and evaluates its JSON answer
// (or, when the body is not JSON, the body as a string).
func (m *Measurer) measureWeb(ctx context.Context, metric railyard.Metric) Measurement {
	web := metric.Provider.Web
	timeout := DefaultWebTimeout
	if web.TimeoutSeconds > 0 {
		timeout = time.Duration(web.TimeoutSeconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := webRequest(ctx, web)
	if err != nil {
		return errorMeasurement("web metric %q: %v", metric.Name, err)
	}
	body, err := do(m.client(web.Insecure), req)
	if err != nil {
		return errorMeasurement("web metric %q: %v", metric.Name, err)
	}
	result, value, err := webResult(body, web.JSONPath)
	if err != nil {
		return errorMeasurement("web metric %q: %v", metric.Name, err)
	}
	return evaluated(metric, result, value)
}

// webRequest builds the request of a web metric.
func webRequest(ctx context.Context, web *railyard.WebMetric) (*http.Request, error) {
	method := strings.ToUpper(web.Method)
	if method == "" {
		method = http.MethodGet
	}
	hasJSON := len(web.JSONBody) > 0 && string(web.JSONBody) != "null"
	var body io.Reader
	switch {
	case web.Body != "" && hasJSON:
		return nil, fmt.Errorf("set body or jsonBody, not both")
	case (web.Body != "" || hasJSON) && method == http.MethodGet:
		return nil, fmt.Errorf("a body needs method POST or PUT, not GET")
	case web.Body != "":
		body = strings.NewReader(web.Body)
	case hasJSON:
		body = bytes.NewReader(web.JSONBody)
	}
	req, err := http.NewRequestWithContext(ctx, method, web.URL, body)
	if err != nil {
		return nil, err
	}
	for _, h := range web.Headers {
		req.Header.Set(h.Key, h.Value)
	}
	if hasJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// do sends req and returns the body of a 2xx answer.
func do(client *http.Client, req *http.Request) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return body, fmt.Errorf("%s %s: received non-2xx response code %d: %s",
			req.Method, req.URL.Redacted(), resp.StatusCode, snippet(body))
	}
	return body, nil
}

// webResult is the value a web metric's conditions see, and its text: the
// jsonPath's value of a JSON body, or the whole body when it is not JSON.
func webResult(body []byte, path string) (result any, value string, err error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return string(body), string(body), nil
	}
	result, err = JSONPath(doc, path)
	if err != nil {
		return nil, "", err
	}
	text, err := json.Marshal(result)
	if err != nil {
		return nil, "", fmt.Errorf("encoding the result: %w", err)
	}
	return result, string(text), nil
}

// client returns the HTTP client to use, skipping TLS verification when
// insecure is set.
func (m *Measurer) client(insecure bool) *http.Client {
	c := m.Client
	if c == nil {
		c = &http.Client{}
	}
	if !insecure {
		return c
	}
	base, ok := c.Transport.(*http.Transport)
	if !ok || base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	t := base.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true // the metric asked for it
	copied := *c
	copied.Transport = t
	return &copied
}

// evaluated is the measurement of result under the metric's conditions.
func evaluated(metric railyard.Metric, result any, value string) Measurement {
	phase, err := Evaluate(result, metric)
	if err != nil {
		return Measurement{Phase: railyard.AnalysisError, Value: value,
			Message: fmt.Sprintf("metric %q: %v", metric.Name, err)}
	}
	return Measurement{Phase: phase, Value: value}
}

// errorMeasurement is an Error measurement with a message.
func errorMeasurement(format string, a ...any) Measurement {
	return Measurement{Phase: railyard.AnalysisError, Message: fmt.Sprintf(format, a...)}
}

// snippet shortens a response body for a message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
