// Package verify is the activity side of verification: Argo Rollouts
// AnalysisTemplates (argoproj.io/v1alpha1) with the `web`, `prometheus`
// and `job` providers (a job runs as a process on the worker).
//
// The Stage workflow owns the schedule:
//
//  1. Plan resolves every template's arguments (defaults, overridden by the
//     Stage's verification args, whose `${{ }}` expressions go through
//     EvalFunc) and substitutes `{{args.x}}` into each metric;
//  2. for each planned metric, side by side (workflow.Go), it keeps a
//     railyard.MetricRun and loops: sleep run.NextDelay(metric) on a durable timer
//     (initialDelay, then interval, ErrorRetryInterval after an Error),
//     call the Measure activity, run.Record the measurement, stop when
//     run.Decide(metric) says done;
//  3. railyard.Combine gives the analysis phase from the metrics' phases.
//
// As in Argo Rollouts, when one metric ends in anything but Successful the
// run terminates: the other metrics stop, and one that had not finished
// counts as Successful. A metric with interval and no count runs until then.
//
// Plan is pure and deterministic; the bookkeeping a workflow keeps
// (MetricRun, Combine) is in the root package.
package verify

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/expr"
)

// The verification messages and bookkeeping are the root package's.
type (
	MeasureInput  = railyard.MeasureInput
	Measurement   = railyard.Measurement
	PlannedMetric = railyard.PlannedMetric
	MetricRun     = railyard.MetricRun
)

// Measurer takes measurements. Its zero value is ready to use.
type Measurer struct {
	// Client sends the requests; nil means a client built on
	// http.DefaultTransport. Per-metric timeouts come from the context.
	Client *http.Client
	// Secrets answers valueFrom.secretKeyRef arguments (nil: none).
	Secrets expr.SecretSource
}

// Measure takes one measurement of in.Metric. Problems with the provider
// (unreachable, non-2xx, bad response, a condition that does not evaluate)
// are Error measurements, not errors, so that the workflow counts them
// against consecutiveErrorLimit as Argo Rollouts does. The only error
// returned is the context's, when the activity is cancelled.
func (m *Measurer) Measure(ctx context.Context, in MeasureInput) (Measurement, error) {
	started := time.Now()
	var out Measurement
	metric, secrets, err := m.resolveSecrets(ctx, in.Metric)
	if err != nil {
		out = errorMeasurement("metric %q: %v", in.Metric.Name, err)
		if in.Template != "" {
			out.Message = fmt.Sprintf("analysis template %q: %s", in.Template, out.Message)
		}
		out.StartedAt, out.FinishedAt = started, time.Now()
		return out, nil
	}
	in.Metric = metric
	p := in.Metric.Provider
	switch {
	case p.Count() > 1:
		out = errorMeasurement("metric %q: exactly one provider must be set", in.Metric.Name)
	case p.Web != nil:
		out = m.measureWeb(ctx, in.Metric)
	case p.Prometheus != nil:
		out = m.measurePrometheus(ctx, in.Metric)
	case p.Job != nil:
		out = measureJob(ctx, in.Metric)
	default:
		out = errorMeasurement("metric %q: no provider (web, prometheus and job are supported)", in.Metric.Name)
	}
	if err := ctx.Err(); err != nil {
		return Measurement{}, err
	}
	if out.Phase == railyard.AnalysisError && in.Template != "" {
		out.Message = fmt.Sprintf("analysis template %q: %s", in.Template, out.Message)
	}
	out = mask(out, secrets)
	out.StartedAt, out.FinishedAt = started, time.Now()
	return out, nil
}
