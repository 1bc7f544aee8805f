package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	railyard "github.com/railyard/railyard"
)

// Argo Rollouts metric providers Railyard does not measure with yet.
var otherProviders = []string{"datadog", "newRelic", "wavefront", "kayenta",
	"cloudWatch", "graphite", "influxdb", "skywalking", "plugin"}

var analysisSpecials = func() []special {
	s := []special{
		{pattern: "spec.metrics[*].provider.web.authentication", message: "web authentication (oauth2, sigv4) is not supported yet; use headers", emptyObjectOK: true},
		{pattern: "spec.metrics[*].provider.prometheus.authentication.sigv4", message: "sigv4 authentication is not supported yet; use basicAuth, oauth2 or headers", emptyObjectOK: true},
	}
	for _, p := range otherProviders {
		s = append(s, special{pattern: "spec.metrics[*].provider." + p,
			message: fmt.Sprintf("metric provider %q is not supported yet (Railyard measures with web, prometheus and job)", p)})
	}
	return s
}()

func decodeAnalysisTemplate(tree map[string]any, src source, r *report) any {
	unsupported := metricsWithOtherProviders(tree)
	takeSpecials(tree, analysisSpecials, r, src)
	m := decodeManifest[analysisManifest](tree, src, r)
	a := &railyard.AnalysisTemplate{Name: src.Name, Spec: m.Spec}
	validateAnalysis(a.Spec, unsupported, src, r)
	return a
}

// metricsWithOtherProviders returns the indices of metrics using a provider
// reported as not supported, so they are not also reported as lacking one.
func metricsWithOtherProviders(tree map[string]any) map[int]bool {
	out := map[int]bool{}
	spec, _ := tree["spec"].(map[string]any)
	metrics, _ := spec["metrics"].([]any)
	for i, m := range metrics {
		obj, _ := m.(map[string]any)
		provider, _ := obj["provider"].(map[string]any)
		for k := range provider {
			if contains(otherProviders, k) {
				out[i] = true
			}
		}
	}
	return out
}

func validateAnalysis(spec railyard.AnalysisTemplateSpec, unsupported map[int]bool, src source, r *report) {
	args := map[string]int{}
	for i, a := range spec.Args {
		f := fmt.Sprintf("spec.args[%d].name", i)
		if a.Name == "" {
			r.add(src, f, "is required")
		}
		if j, ok := args[a.Name]; ok && a.Name != "" {
			r.add(src, f, "argument %q is already defined by spec.args[%d]", a.Name, j)
		}
		args[a.Name] = i
		validateValueFrom(r, src, fmt.Sprintf("spec.args[%d]", i), a)
	}
	if len(spec.Metrics) == 0 {
		r.add(src, "spec.metrics", "at least one metric is required")
	}
	for i, d := range spec.DryRun {
		validateMetricPattern(r, src, fmt.Sprintf("spec.dryRun[%d].metricName", i), d.MetricName, spec.Metrics)
	}
	for i, m := range spec.MeasurementRetention {
		validateMetricPattern(r, src, fmt.Sprintf("spec.measurementRetention[%d].metricName", i), m.MetricName, spec.Metrics)
		if m.Limit < 1 {
			r.add(src, fmt.Sprintf("spec.measurementRetention[%d].limit", i), "must be at least 1, not %d", m.Limit)
		}
	}
	names := map[string]int{}
	for i, m := range spec.Metrics {
		f := fmt.Sprintf("spec.metrics[%d]", i)
		if m.Name == "" {
			r.add(src, f+".name", "is required")
		}
		if j, ok := names[m.Name]; ok && m.Name != "" {
			r.add(src, f+".name", "metric %q is already defined by spec.metrics[%d]", m.Name, j)
		}
		names[m.Name] = i
		validateMetric(r, src, f, m, unsupported[i])
	}
}

func validateMetric(r *report, src source, f string, m railyard.Metric, unsupported bool) {
	if m.FailureLimit.Int(0) < 0 && m.ConsecutiveSuccessLimit.Int(0) <= 0 &&
		!strings.Contains(string(ptrValue(m.FailureLimit)+ptrValue(m.ConsecutiveSuccessLimit)), "{{") {
		r.add(src, f, "failureLimit -1 turns failures off, so consecutiveSuccessLimit must be above 0; otherwise nothing decides the metric")
	}
	checkDuration(r, src, f+".interval", m.Interval)
	checkDuration(r, src, f+".initialDelay", m.InitialDelay)
	p := m.Provider
	switch {
	case p.Count() > 1:
		r.add(src, f+".provider", "set exactly one provider")
	case p.Job != nil:
		validateJob(r, src, f+".provider.job.spec", p.Job.Spec)
	case p.Web != nil:
		if p.Web.URL == "" {
			r.add(src, f+".provider.web.url", "is required")
		}
	case p.Prometheus != nil:
		if p.Prometheus.Address == "" {
			r.add(src, f+".provider.prometheus.address", "is required")
		}
		if p.Prometheus.Query == "" {
			r.add(src, f+".provider.prometheus.query", "is required")
		}
		validatePromAuth(r, src, f+".provider.prometheus.authentication", p.Prometheus.Authentication)
		if q := p.Prometheus.RangeQuery; q != nil {
			validateRangeQuery(r, src, f+".provider.prometheus.rangeQuery", *q)
		}
	case !unsupported:
		r.add(src, f+".provider", "a provider (web, prometheus or job) is required")
	}
}

// validateJob checks what the worker needs to run a Job's container as a
// process: one container with a command, plain env values.
func validateJob(r *report, src source, f string, spec railyard.JobSpec) {
	pod := spec.Template.Spec
	switch pol := pod.RestartPolicy; pol {
	case "", "Never", "OnFailure":
	default:
		r.add(src, f+".template.spec.restartPolicy", "%q is not Never or OnFailure", pol)
	}
	if spec.BackoffLimit != nil && *spec.BackoffLimit < 0 {
		r.add(src, f+".backoffLimit", "must be at least 0")
	}
	switch n := len(pod.Containers); {
	case n == 0:
		r.add(src, f+".template.spec.containers", "one container is required")
	case n > 1:
		r.add(src, f+".template.spec.containers", "%d containers: a job with more than one container is not supported yet (the worker runs one command)", n)
	}
	for i, c := range pod.Containers {
		cf := fmt.Sprintf("%s.template.spec.containers[%d]", f, i)
		if len(c.Command) == 0 {
			r.add(src, cf+".command", "is required: the worker runs the command itself, not the image's entrypoint")
		}
		for j, e := range c.Env {
			if e.Name == "" {
				r.add(src, fmt.Sprintf("%s.env[%d].name", cf, j), "is required")
			}
			if len(e.ValueFrom) > 0 {
				r.add(src, fmt.Sprintf("%s.env[%d].valueFrom", cf, j), "valueFrom is not supported yet; use value")
			}
		}
	}
}

// checkDuration reports a value time.ParseDuration rejects or a negative
// one. Argo Rollouts' argument placeholders ({{args.x}}) are left alone.
func checkDuration(r *report, src source, field string, d railyard.Duration) {
	if d == "" || strings.Contains(string(d), "{{") {
		return
	}
	if !validDuration(string(d)) {
		r.add(src, field, "%q is not a valid duration (like 30s, 5m or 1h)", d)
	}
}

func validDuration(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d >= 0
}

func validatePromAuth(r *report, src source, f string, a *railyard.MetricAuthentication) {
	if a == nil {
		return
	}
	if a.BasicAuth != nil && a.OAuth2 != nil {
		r.add(src, f, "set basicAuth or oauth2, not both")
	}
	if o := a.OAuth2; o != nil {
		if o.TokenURL == "" {
			r.add(src, f+".oauth2.tokenUrl", "is required")
		}
		if o.ClientID == "" {
			r.add(src, f+".oauth2.clientId", "is required")
		}
	}
}

// validateRangeQuery checks a Prometheus range query: start and end are
// expr-lang expressions (placeholders aside), step a duration.
func validateRangeQuery(r *report, src source, f string, q railyard.PrometheusRangeQuery) {
	for _, e := range []struct{ field, code string }{{"start", q.Start}, {"end", q.End}} {
		if !strings.Contains(e.code, "{{") {
			checkExpression(r, src, f+"."+e.field, railyard.ScopeDiscovery, e.code)
		}
	}
	switch {
	case q.Step == "":
		r.add(src, f+".step", "is required")
	case !strings.Contains(q.Step, "{{") && !promDurationRE.MatchString(q.Step):
		r.add(src, f+".step", "%q is not a valid duration (like 30s, 1m or 1h)", q.Step)
	}
}

var promDurationRE = regexp.MustCompile(`^(([0-9]+)(ms|s|m|h|d|w|y))+$`)

// validateValueFrom checks an argument's valueFrom: secretKeyRef (read on
// the worker from its credentials file's secrets) with a name and a key;
// fieldRef names a pod field, and Railyard runs no pods.
func validateValueFrom(r *report, src source, f string, a railyard.AnalysisArg) {
	if len(a.ValueFrom) == 0 || string(a.ValueFrom) == "null" {
		return
	}
	var vf struct {
		SecretKeyRef *struct {
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"secretKeyRef"`
		FieldRef json.RawMessage `json:"fieldRef"`
	}
	dec := json.NewDecoder(bytes.NewReader(a.ValueFrom))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&vf); err != nil {
		r.add(src, f+".valueFrom", "must be {secretKeyRef: {name, key}}: %v", err)
		return
	}
	switch {
	case a.Value != nil:
		r.add(src, f, "set value or valueFrom, not both")
	case vf.SecretKeyRef != nil && vf.FieldRef != nil:
		r.add(src, f+".valueFrom", "set secretKeyRef or fieldRef, not both")
	case vf.SecretKeyRef != nil:
		if vf.SecretKeyRef.Name == "" {
			r.add(src, f+".valueFrom.secretKeyRef.name", "is required")
		}
		if vf.SecretKeyRef.Key == "" {
			r.add(src, f+".valueFrom.secretKeyRef.key", "is required")
		}
	case vf.FieldRef != nil:
		r.add(src, f+".valueFrom.fieldRef", "fieldRef is not supported yet (Railyard runs no pods); use secretKeyRef or a value")
	default:
		r.add(src, f+".valueFrom", "secretKeyRef is required")
	}
}

func ptrValue(v *railyard.IntOrString) railyard.IntOrString {
	if v == nil {
		return ""
	}
	return *v
}

// validateMetricPattern checks a dryRun metricName: a regular expression
// matching whole metric names, which must name at least one metric.
func validateMetricPattern(r *report, src source, f, pattern string, metrics []railyard.Metric) {
	if pattern == "" {
		r.add(src, f, "is required")
		return
	}
	if _, err := regexp.Compile(pattern); err != nil {
		r.add(src, f, "%q is not a valid regular expression: %v", pattern, err)
		return
	}
	for _, m := range metrics {
		if railyard.MatchesMetric(pattern, m.Name) {
			return
		}
	}
	r.add(src, f, "%q names no metric of this template", pattern)
}
