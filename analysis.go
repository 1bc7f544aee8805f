package railyard

import (
	"encoding/json"
	"regexp"
	"strconv"
)

// AnalysisTemplate is an Argo Rollouts AnalysisTemplate (argoproj.io/v1alpha1)
// used for verification.
type AnalysisTemplate struct {
	Name string               `json:"name"`
	Spec AnalysisTemplateSpec `json:"spec"`
}

// AnalysisTemplateSpec holds the template's arguments and metrics.
type AnalysisTemplateSpec struct {
	Args                 []AnalysisArg          `json:"args,omitempty"`
	Metrics              []Metric               `json:"metrics"`
	DryRun               []DryRunMetric         `json:"dryRun,omitempty"`
	MeasurementRetention []MeasurementRetention `json:"measurementRetention,omitempty"`
}

// DryRunMetric names metrics (a regular expression matching whole names)
// whose outcome does not count towards the analysis.
type DryRunMetric struct {
	MetricName string `json:"metricName"`
}

// MeasurementRetention asks to keep more measurements of the metrics it
// names (a regular expression matching whole names).
type MeasurementRetention struct {
	MetricName string `json:"metricName"`
	Limit      int    `json:"limit"`
}

// MatchesMetric reports whether a dryRun or measurementRetention
// metricName pattern names the metric.
func MatchesMetric(pattern, metric string) bool {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	return err == nil && re.MatchString(metric)
}

// AnalysisArg is a template argument, possibly with a default value.
type AnalysisArg struct {
	Name      string          `json:"name"`
	Value     *string         `json:"value,omitempty"`
	ValueFrom json.RawMessage `json:"valueFrom,omitempty"`
}

// Metric is one measurement series.
type Metric struct {
	Name                  string       `json:"name"`
	Interval              Duration     `json:"interval,omitempty"`
	InitialDelay          Duration     `json:"initialDelay,omitempty"`
	Count                 *IntOrString `json:"count,omitempty"`
	SuccessCondition      string       `json:"successCondition,omitempty"`
	FailureCondition      string       `json:"failureCondition,omitempty"`
	FailureLimit          *IntOrString `json:"failureLimit,omitempty"`
	InconclusiveLimit     *IntOrString `json:"inconclusiveLimit,omitempty"`
	ConsecutiveErrorLimit *IntOrString `json:"consecutiveErrorLimit,omitempty"`
	// ConsecutiveSuccessLimit > 0 makes the metric succeed after that many
	// successful measurements in a row (Argo Rollouts v1.8).
	ConsecutiveSuccessLimit *IntOrString   `json:"consecutiveSuccessLimit,omitempty"`
	Provider                MetricProvider `json:"provider"`
	// DryRun is set when the template's spec.dryRun names the metric: its
	// outcome is reported but never fails the analysis. It is not read
	// from manifests.
	DryRun bool `json:"dryRun,omitempty" manifest:"-"`
	// Retention is how many measurements to keep, from the template's
	// spec.measurementRetention (0: the default). It is not read from
	// manifests.
	Retention int `json:"retention,omitempty" manifest:"-"`
}

// MetricProvider says how to take a measurement; one field is set.
type MetricProvider struct {
	Web        *WebMetric        `json:"web,omitempty"`
	Prometheus *PrometheusMetric `json:"prometheus,omitempty"`
	Job        *JobMetric        `json:"job,omitempty"`
}

// Count is how many providers are set (one is valid).
func (p MetricProvider) Count() int {
	n := 0
	for _, set := range []bool{p.Web != nil, p.Prometheus != nil, p.Job != nil} {
		if set {
			n++
		}
	}
	return n
}

// WebMetric measures with an HTTP request.
type WebMetric struct {
	URL            string            `json:"url"`
	Method         string            `json:"method,omitempty"`
	Headers        []WebMetricHeader `json:"headers,omitempty"`
	Body           string            `json:"body,omitempty"`
	JSONBody       json.RawMessage   `json:"jsonBody,omitempty"`
	JSONPath       string            `json:"jsonPath,omitempty"`
	TimeoutSeconds int               `json:"timeoutSeconds,omitempty"`
	Insecure       bool              `json:"insecure,omitempty"`
}

// WebMetricHeader is one request header.
type WebMetricHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// PrometheusMetric measures with a PromQL query: an instant query, or a
// range query when RangeQuery is set.
type PrometheusMetric struct {
	Address        string                `json:"address"`
	Query          string                `json:"query"`
	Timeout        int                   `json:"timeout,omitempty"`
	Insecure       bool                  `json:"insecure,omitempty"`
	Headers        []WebMetricHeader     `json:"headers,omitempty"`
	RangeQuery     *PrometheusRangeQuery `json:"rangeQuery,omitempty"`
	Authentication *MetricAuthentication `json:"authentication,omitempty"`
}

// PrometheusRangeQuery is a range query's window: Start and End are
// expr-lang expressions giving times (`now() - duration("5m")`), Step a
// duration ("1m").
type PrometheusRangeQuery struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
	Step  string `json:"step,omitempty"`
}

// MetricAuthentication is how a metric provider authenticates: HTTP basic
// authentication, or a bearer token from an OAuth2 client-credentials
// grant. (Argo Rollouts' sigv4 is not supported.)
type MetricAuthentication struct {
	BasicAuth *BasicAuth    `json:"basicAuth,omitempty"`
	OAuth2    *OAuth2Config `json:"oauth2,omitempty"`
}

// BasicAuth is a username and password.
type BasicAuth struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// OAuth2Config is an OAuth2 client-credentials grant.
type OAuth2Config struct {
	TokenURL     string   `json:"tokenUrl,omitempty"`
	ClientID     string   `json:"clientId,omitempty"`
	ClientSecret string   `json:"clientSecret,omitempty"`
	Scopes       []string `json:"scopes,omitempty"`
}

// IntOrString holds a value written as a number or a string ("3", "{{args.n}}").
type IntOrString string

// UnmarshalJSON accepts a JSON number or string.
func (v *IntOrString) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*v = IntOrString(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*v = IntOrString(s)
	return nil
}

// Int returns the integer value, or def when unset or not a number.
func (v *IntOrString) Int(def int) int {
	if v == nil {
		return def
	}
	n, err := strconv.Atoi(string(*v))
	if err != nil {
		return def
	}
	return n
}
