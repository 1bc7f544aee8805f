package railyard

import (
	"fmt"
	"time"
)

// AnalysisPhase is the phase of a measurement, a metric, an analysis or a
// stage's verification (Argo Rollouts' AnalysisPhase spelling).
type AnalysisPhase string

// Phases of a measurement, a metric and an analysis.
const (
	AnalysisPending      AnalysisPhase = "Pending"
	AnalysisRunning      AnalysisPhase = "Running"
	AnalysisSuccessful   AnalysisPhase = "Successful"
	AnalysisFailed       AnalysisPhase = "Failed"
	AnalysisError        AnalysisPhase = "Error"
	AnalysisInconclusive AnalysisPhase = "Inconclusive"
	// AnalysisAborted ends a verification that was aborted (Kargo's
	// spelling); no measurement or metric has it.
	AnalysisAborted AnalysisPhase = "Aborted"
)

// Terminal reports whether a verification in this phase has ended: any
// phase but none, Pending and Running.
func (p AnalysisPhase) Terminal() bool {
	return p != "" && p != AnalysisPending && p != AnalysisRunning
}

// Measured reports whether a measurement in this phase counts towards a
// metric's count: Successful, Failed or Inconclusive (not Error).
func (p AnalysisPhase) Measured() bool {
	return p == AnalysisSuccessful || p == AnalysisFailed || p == AnalysisInconclusive
}

// PlannedMetric is one metric ready to measure: arguments substituted.
type PlannedMetric struct {
	Template string `json:"template"`
	Metric   Metric `json:"metric"`
}

// MeasureInput is the input of the Measure activity.
type MeasureInput struct {
	// Metric is the metric with its arguments already substituted.
	Metric Metric `json:"metric"`
	// Template names the AnalysisTemplate, for messages.
	Template string `json:"template,omitempty"`
}

// Measurement is the outcome of one measurement. Phase is Successful,
// Failed, Inconclusive or Error; Value is the measured value as text (JSON
// for web results, "[0.99]" for Prometheus vectors).
type Measurement struct {
	Phase      AnalysisPhase `json:"phase"`
	Value      string        `json:"value,omitempty"`
	Message    string        `json:"message,omitempty"`
	StartedAt  time.Time     `json:"startedAt,omitzero"`
	FinishedAt time.Time     `json:"finishedAt,omitzero"`
}

const (
	// MeasurementHistory is how many measurements a MetricRun keeps unless
	// its Retention says otherwise; the counters cover all of them (Argo
	// Rollouts keeps 10 too).
	MeasurementHistory = 10
	// DefaultConsecutiveErrorLimit is Argo Rollouts' default: a metric errs
	// after more than 4 errors in a row.
	DefaultConsecutiveErrorLimit = 4
	// ErrorRetryInterval is the wait after an Error measurement, whatever
	// the metric's interval (Argo Rollouts' DefaultErrorRetryInterval).
	ErrorRetryInterval = 10 * time.Second
)

// MetricRun is the bookkeeping of one metric: its latest measurements and
// counters. It is a plain value that lives in workflow state.
type MetricRun struct {
	Measurements     []Measurement `json:"measurements,omitempty"`
	Count            int           `json:"count"` // Successful + Failed + Inconclusive
	Successful       int           `json:"successful,omitempty"`
	Failed           int           `json:"failed,omitempty"`
	Inconclusive     int           `json:"inconclusive,omitempty"`
	Error            int           `json:"error,omitempty"`
	ConsecutiveError int           `json:"consecutiveError,omitempty"`
	// ConsecutiveSuccess counts successful measurements in a row; any
	// other phase resets it.
	ConsecutiveSuccess int `json:"consecutiveSuccess,omitempty"`
	// Retention is how many measurements to keep (the metric's
	// measurementRetention limit); 0 keeps MeasurementHistory.
	Retention int `json:"retention,omitempty"`
}

// NewMetricRun starts the bookkeeping of a planned metric.
func NewMetricRun(m Metric) MetricRun { return MetricRun{Retention: m.Retention} }

// Record adds a measurement, as Argo Rollouts counts it: an Error does not
// count towards `count`, and any other phase resets the consecutive errors.
// An unknown phase counts as an Error.
func (r *MetricRun) Record(m Measurement) {
	r.ConsecutiveSuccess++
	if m.Phase != AnalysisSuccessful {
		r.ConsecutiveSuccess = 0
	}
	switch m.Phase {
	case AnalysisSuccessful:
		r.Successful++
	case AnalysisFailed:
		r.Failed++
	case AnalysisInconclusive:
		r.Inconclusive++
	default:
		r.Error++
		r.ConsecutiveError++
	}
	if m.Phase.Measured() {
		r.Count++
		r.ConsecutiveError = 0
	}
	r.Measurements = append(r.Measurements, m)
	keep := MeasurementHistory
	if r.Retention > 0 {
		keep = r.Retention
	}
	if n := len(r.Measurements); n > keep {
		r.Measurements = append([]Measurement(nil), r.Measurements[n-keep:]...)
	}
}

// Last returns the latest measurement, if any.
func (r MetricRun) Last() (Measurement, bool) {
	if len(r.Measurements) == 0 {
		return Measurement{}, false
	}
	return r.Measurements[len(r.Measurements)-1], true
}

// Decide applies Argo Rollouts' rules to the measurements so far. When done
// is false, phase is Pending (nothing measured yet) or Running and the
// workflow takes another measurement after NextDelay. Limits are checked
// before the count, with Error over Inconclusive over Failed:
//   - Failed when failed > failureLimit (default 0; negative: never);
//   - Inconclusive when inconclusive > inconclusiveLimit (default 0);
//   - Error when consecutive errors > consecutiveErrorLimit (default 4);
//   - Successful once consecutiveSuccessLimit (when > 0) successes came in
//     a row;
//   - otherwise, once `count` measurements were taken, Successful, or
//     Inconclusive when a consecutiveSuccessLimit was set and not reached.
//     Without count (or count 0) a metric without interval is measured once
//     and a metric with interval runs until the analysis is terminated.
//
// A DryRun metric that ends in anything but Successful ends Successful, its
// real outcome in the message, so that it does not fail the analysis.
func (r MetricRun) Decide(metric Metric) (done bool, phase AnalysisPhase, message string) {
	done, phase, message = r.decide(metric)
	if done && metric.DryRun && phase != AnalysisSuccessful {
		return true, AnalysisSuccessful, fmt.Sprintf("dry run, would be %s: %s", phase, message)
	}
	return done, phase, message
}

func (r MetricRun) decide(metric Metric) (done bool, phase AnalysisPhase, message string) {
	last, ok := r.Last()
	if !ok {
		return false, AnalysisPending, ""
	}
	if phase, why := r.limitBreached(metric); phase != "" {
		msg := fmt.Sprintf("metric %q assessed %s due to %s", metric.Name, phase, why)
		if last.Message != "" {
			msg += ": " + last.Message
		}
		return true, phase, msg
	}
	csl := metric.ConsecutiveSuccessLimit.Int(0)
	if csl > 0 && r.ConsecutiveSuccess >= csl {
		return true, AnalysisSuccessful, fmt.Sprintf("metric %q: %d successful measurements in a row", metric.Name, r.ConsecutiveSuccess)
	}
	if n, ok := EffectiveCount(metric); ok && r.Count >= n {
		if csl > 0 {
			return true, AnalysisInconclusive, fmt.Sprintf("metric %q: %d measurements taken without %d successes in a row", metric.Name, r.Count, csl)
		}
		return true, AnalysisSuccessful, fmt.Sprintf("metric %q: %d of %d measurements taken", metric.Name, r.Count, n)
	}
	return false, AnalysisRunning, last.Message
}

// limitBreached returns the phase and reason of a breached limit, or "".
func (r MetricRun) limitBreached(metric Metric) (phase AnalysisPhase, why string) {
	if limit := metric.FailureLimit.Int(0); limit >= 0 && r.Failed > limit {
		phase, why = AnalysisFailed, fmt.Sprintf("failed (%d) > failureLimit (%d)", r.Failed, limit)
	}
	if limit := metric.InconclusiveLimit.Int(0); r.Inconclusive > limit {
		phase, why = AnalysisInconclusive, fmt.Sprintf("inconclusive (%d) > inconclusiveLimit (%d)", r.Inconclusive, limit)
	}
	if limit := metric.ConsecutiveErrorLimit.Int(DefaultConsecutiveErrorLimit); r.ConsecutiveError > limit {
		phase, why = AnalysisError, fmt.Sprintf("consecutiveErrors (%d) > consecutiveErrorLimit (%d)", r.ConsecutiveError, limit)
	}
	return phase, why
}

// EffectiveCount is how many measurements complete a metric (Argo Rollouts'
// Metric.EffectiveCount): count when set and non-zero; else 1 without
// interval; else none (ok false: the metric runs until terminated).
func EffectiveCount(metric Metric) (n int, ok bool) {
	if c := metric.Count.Int(0); c != 0 {
		return c, true
	}
	if metric.Interval == "" {
		return 1, true
	}
	return 0, false
}

// NextDelay is how long to wait before the next measurement: initialDelay
// before the first, ErrorRetryInterval after an Error, interval otherwise.
func (r MetricRun) NextDelay(metric Metric) time.Duration {
	last, ok := r.Last()
	switch {
	case !ok:
		return metric.InitialDelay.Duration()
	case !last.Phase.Measured():
		return ErrorRetryInterval
	default:
		return metric.Interval.Duration()
	}
}

// Conclude is an analysis's phase and message once its planned metrics
// ended with phases and messages (phases[i] and messages[i] are plan[i]'s):
// the Combine of the phases, and the message of the first metric that did
// not succeed ("template/metric: message"), else how many succeeded.
func Conclude(plan []PlannedMetric, phases []AnalysisPhase, messages []string) (AnalysisPhase, string) {
	phase := Combine(phases...)
	for i, p := range phases {
		if p != AnalysisSuccessful {
			return phase, fmt.Sprintf("%s/%s: %s", plan[i].Template, plan[i].Metric.Name, messages[i])
		}
	}
	return phase, fmt.Sprintf("%d metrics successful", len(plan))
}

// worseness orders phases from best to worst, as Argo Rollouts does.
var worseness = map[AnalysisPhase]int{
	AnalysisSuccessful:   0,
	AnalysisRunning:      1,
	AnalysisPending:      2,
	AnalysisInconclusive: 3,
	AnalysisError:        4,
	AnalysisFailed:       5,
}

// Combine is the phase of an analysis from the phases of its metrics: the
// worst one, in Argo Rollouts' order Successful < Running < Pending <
// Inconclusive < Error < Failed. An unknown phase counts as Error; no
// phases at all is Successful.
func Combine(phases ...AnalysisPhase) AnalysisPhase {
	worst := AnalysisSuccessful
	for _, p := range phases {
		if _, known := worseness[p]; !known {
			p = AnalysisError
		}
		if worseness[p] > worseness[worst] {
			worst = p
		}
	}
	return worst
}
