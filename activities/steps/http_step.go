package steps

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/railyard/railyard/activities/expr"
)

// HTTP is the `http` step. It sends one request and judges the response
// with expressions over `response` {status, headers, header(name), body}
// (body is decoded JSON or YAML when it parses, else text):
//   - failureExpression true → Failed;
//   - errorExpression true → Errored (retryable per errorThreshold);
//   - successExpression true, or neither expression set and a 2xx status →
//     Succeeded with the outputs;
//   - otherwise, when a successExpression is set → Running: the workflow
//     runs the step again after pollInterval (default 30s), until
//     retry.timeout. Without successExpression a non-2xx status is Failed.
type HTTP struct {
	Client *http.Client // nil: a default client
}

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type httpConfig struct {
	URL                   string        `json:"url"`
	Method                string        `json:"method,omitempty"`
	Headers               []nameValue   `json:"headers,omitempty"`
	QueryParams           []nameValue   `json:"queryParams,omitempty"`
	Body                  string        `json:"body,omitempty"`
	BodyFromFile          string        `json:"bodyFromFile,omitempty"`
	Proxy                 string        `json:"proxy,omitempty"`
	Timeout               string        `json:"timeout,omitempty"`
	PollInterval          string        `json:"pollInterval,omitempty"`
	ResponseContentType   string        `json:"responseContentType,omitempty"`
	SuccessExpression     string        `json:"successExpression,omitempty"`
	FailureExpression     string        `json:"failureExpression,omitempty"`
	ErrorExpression       string        `json:"errorExpression,omitempty"`
	Outputs               []parseOutput `json:"outputs,omitempty"`
	InsecureSkipTLSVerify bool          `json:"insecureSkipTLSVerify,omitempty"`
}

// DefaultHTTPPollInterval is the http step's poll interval, as in Kargo.
const DefaultHTTPPollInterval = 30 * time.Second

const maxHTTPBody = 2 << 20

// Name implements Runner.
func (HTTP) Name() string { return "http" }

// Run implements Runner.
func (h HTTP) Run(ctx context.Context, sc *Context, raw json.RawMessage) (Result, error) {
	var c httpConfig
	if err := DecodeConfig("http", raw, &c); err != nil {
		return Result{}, err
	}
	if err := c.readBody(sc); err != nil {
		return Result{}, err
	}
	poll, err := c.durations()
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("http config: %w", err))
	}
	resp, err := h.do(ctx, c)
	if err != nil {
		return Result{}, fmt.Errorf("http %s %s: %w", c.method(), c.URL, err)
	}
	return judge(c, resp, poll)
}

func (c httpConfig) method() string {
	if c.Method == "" {
		return http.MethodGet
	}
	return strings.ToUpper(c.Method)
}

func (c httpConfig) durations() (time.Duration, error) {
	if c.URL == "" {
		return 0, errors.New("url is required")
	}
	for _, d := range []string{c.Timeout, c.PollInterval} {
		if _, err := time.ParseDuration(d); d != "" && err != nil {
			return 0, err
		}
	}
	if c.PollInterval == "" {
		return DefaultHTTPPollInterval, nil
	}
	return time.ParseDuration(c.PollInterval)
}

type httpResponse struct {
	status  int
	headers http.Header
	body    any
}

func (h HTTP) do(ctx context.Context, c httpConfig) (httpResponse, error) {
	timeout := 10 * time.Second
	if c.Timeout != "" {
		timeout, _ = time.ParseDuration(c.Timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u, err := url.Parse(c.URL)
	if err != nil {
		return httpResponse{}, Terminal(err)
	}
	q := u.Query()
	for _, p := range c.QueryParams {
		q.Add(p.Name, p.Value)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, c.method(), u.String(), strings.NewReader(c.Body))
	if err != nil {
		return httpResponse{}, Terminal(err)
	}
	for _, hd := range c.Headers {
		req.Header.Add(hd.Name, hd.Value)
	}
	client, err := h.clientFor(c.InsecureSkipTLSVerify, c.Proxy)
	if err != nil {
		return httpResponse{}, err
	}
	res, err := client.Do(req)
	if err != nil {
		return httpResponse{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxHTTPBody))
	if err != nil {
		return httpResponse{}, err
	}
	return httpResponse{status: res.StatusCode, headers: res.Header, body: decodeBody(data, c.contentType(res))}, nil
}

func (h HTTP) client(insecure bool) *http.Client {
	if h.Client != nil {
		return h.Client
	}
	if !insecure {
		return http.DefaultClient
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the user
	return &http.Client{Transport: tr}
}

func (c httpConfig) contentType(res *http.Response) string {
	if c.ResponseContentType != "" {
		return c.ResponseContentType
	}
	return res.Header.Get("Content-Type")
}

// decodeBody parses JSON (the default) or YAML; plain text stays a string.
func decodeBody(data []byte, contentType string) any {
	var v any
	switch {
	case strings.Contains(contentType, "text/plain"):
		return string(data)
	case strings.Contains(contentType, "yaml"):
		if yaml.Unmarshal(data, &v) == nil {
			return v
		}
	case json.Unmarshal(data, &v) == nil:
		return v
	}
	return string(data)
}

func judge(c httpConfig, r httpResponse, poll time.Duration) (Result, error) {
	env := map[string]any{"response": map[string]any{
		"status":  r.status,
		"headers": r.headers,
		"header":  func(name string) string { return r.headers.Get(name) },
		"body":    r.body,
	}}
	ev := expr.New(env)
	check := func(code string) (bool, error) {
		if code == "" {
			return false, nil
		}
		v, err := ev.Eval(code, nil)
		if err != nil {
			return false, Terminal(err)
		}
		b, ok := v.(bool)
		if !ok {
			return false, Terminal(fmt.Errorf("expression %q must evaluate to a bool, got %T", code, v))
		}
		return b, nil
	}
	if failed, err := check(c.FailureExpression); err != nil || failed {
		return Result{Status: StatusFailed, Message: fmt.Sprintf("http: failure expression matched (status %d)", r.status)}, err
	}
	if errored, err := check(c.ErrorExpression); err != nil || errored {
		if err == nil {
			err = fmt.Errorf("http: error expression matched (status %d)", r.status)
		}
		return Result{}, err
	}
	ok, err := check(c.SuccessExpression)
	if err != nil {
		return Result{}, err
	}
	switch {
	case c.SuccessExpression == "" && (r.status < 200 || r.status > 299):
		return Result{Status: StatusFailed, Message: fmt.Sprintf("http: status %d", r.status)}, nil
	case c.SuccessExpression != "" && !ok:
		return Result{Status: StatusRunning, RetryAfter: poll,
			Message: fmt.Sprintf("http: waiting for success (status %d)", r.status)}, nil
	}
	out, err := evalOutputs(ev, c.Outputs, nil)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("http outputs: %w", err))
	}
	return Succeeded(out), nil
}
