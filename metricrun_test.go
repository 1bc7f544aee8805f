package railyard

import (
	"testing"
	"time"
)

func ios(s string) *IntOrString { v := IntOrString(s); return &v }

// phases turns "SFIE" into measurements.
func phases(s string) []Measurement {
	names := map[rune]AnalysisPhase{'S': AnalysisSuccessful, 'F': AnalysisFailed, 'I': AnalysisInconclusive, 'E': AnalysisError}
	var out []Measurement
	for _, r := range s {
		out = append(out, Measurement{Phase: names[r], Message: "m" + string(r)})
	}
	return out
}

func withSuccess(m Metric, n string) Metric {
	m.ConsecutiveSuccessLimit = ios(n)
	return m
}

func dry(m Metric) Metric {
	m.DryRun = true
	return m
}

func TestDecide(t *testing.T) {
	once := Metric{Name: "m"}
	three := Metric{Name: "m", Interval: "1m", Count: ios("3")}
	forever := Metric{Name: "m", Interval: "1m"}
	tests := []struct {
		name     string
		metric   Metric
		measured string
		done     bool
		phase    AnalysisPhase
		message  string
	}{
		{"nothing yet", once, "", false, AnalysisPending, ""},
		{"single success", once, "S", true, AnalysisSuccessful, `metric "m": 1 of 1 measurements taken`},
		{"single failure", once, "F", true, AnalysisFailed, `metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"single inconclusive", once, "I", true, AnalysisInconclusive, `metric "m" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): mI`},
		{"error is retried", once, "E", false, AnalysisRunning, "mE"},
		{"four errors in a row are retried", once, "EEEE", false, AnalysisRunning, "mE"},
		{"five errors in a row", once, "EEEEE", true, AnalysisError, `metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): mE`},
		{"errors reset by a success", three, "EEEESEEEES", false, AnalysisRunning, "mS"},
		{"errors do not count", once, "EES", true, AnalysisSuccessful, `metric "m": 1 of 1 measurements taken`},
		{"count running", three, "SS", false, AnalysisRunning, "mS"},
		{"count reached", three, "SSS", true, AnalysisSuccessful, `metric "m": 3 of 3 measurements taken`},
		{"failure within count", three, "SF", true, AnalysisFailed, `metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"failure limit tolerates", withLimits(three, "1", "", ""), "FSS", true, AnalysisSuccessful, `metric "m": 3 of 3 measurements taken`},
		{"failure limit exceeded", withLimits(three, "1", "", ""), "FF", true, AnalysisFailed, `metric "m" assessed Failed due to failed (2) > failureLimit (1): mF`},
		{"negative failure limit", withLimits(three, "-1", "", ""), "FFF", true, AnalysisSuccessful, `metric "m": 3 of 3 measurements taken`},
		{"inconclusive limit", withLimits(three, "", "1", ""), "IS", false, AnalysisRunning, "mS"},
		{"error limit 0", withLimits(three, "", "", "0"), "E", true, AnalysisError, `metric "m" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): mE`},
		{"error beats failure", withLimits(three, "", "", "0"), "FE", true, AnalysisError, `metric "m" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): mE`},
		{"no count with interval runs on", forever, "SSSSSSSSSSSS", false, AnalysisRunning, "mS"},
		{"count 0 with interval runs on", withCount(forever, "0"), "SS", false, AnalysisRunning, "mS"},
		{"failure stops an endless metric", forever, "SSF", true, AnalysisFailed, `metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"consecutive successes end an endless metric", withSuccess(withLimits(forever, "-1", "", ""), "3"), "FSFSSS", true, AnalysisSuccessful,
			`metric "m": 3 successful measurements in a row`},
		{"consecutive successes reset", withSuccess(withLimits(forever, "-1", "", ""), "3"), "SSFSS", false, AnalysisRunning, "mS"},
		{"failure limit beats consecutive successes", withSuccess(withLimits(forever, "1", "", ""), "3"), "SFSF", true, AnalysisFailed,
			`metric "m" assessed Failed due to failed (2) > failureLimit (1): mF`},
		{"count reached without the successes", withSuccess(withLimits(three, "-1", "", ""), "3"), "SFS", true, AnalysisInconclusive,
			`metric "m": 3 measurements taken without 3 successes in a row`},
		{"dry run failure counts as success", dry(once), "F", true, AnalysisSuccessful,
			`dry run, would be Failed: metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"dry run success", dry(once), "S", true, AnalysisSuccessful, `metric "m": 1 of 1 measurements taken`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r MetricRun
			for _, m := range phases(tc.measured) {
				r.Record(m)
			}
			done, phase, msg := r.Decide(tc.metric)
			if done != tc.done || phase != tc.phase || msg != tc.message {
				t.Fatalf("Decide = %v, %q, %q; want %v, %q, %q", done, phase, msg, tc.done, tc.phase, tc.message)
			}
		})
	}
}

func withLimits(m Metric, failure, inconclusive, consecutiveError string) Metric {
	if failure != "" {
		m.FailureLimit = ios(failure)
	}
	if inconclusive != "" {
		m.InconclusiveLimit = ios(inconclusive)
	}
	if consecutiveError != "" {
		m.ConsecutiveErrorLimit = ios(consecutiveError)
	}
	return m
}

func withCount(m Metric, c string) Metric { m.Count = ios(c); return m }

func TestRecordKeepsHistoryBounded(t *testing.T) {
	var r MetricRun
	for _, m := range phases("SFIEEEESSSSSSSSSSS") {
		r.Record(m)
	}
	if len(r.Measurements) != MeasurementHistory {
		t.Fatalf("kept %d measurements, want %d", len(r.Measurements), MeasurementHistory)
	}
	got := [6]int{r.Count, r.Successful, r.Failed, r.Inconclusive, r.Error, r.ConsecutiveError}
	if want := [6]int{14, 12, 1, 1, 4, 0}; got != want {
		t.Fatalf("count, successful, failed, inconclusive, error, consecutiveError = %v, want %v", got, want)
	}
}

func TestRecordKeepsTheMetricsRetention(t *testing.T) {
	for _, tc := range []struct {
		retention, want int
	}{{0, MeasurementHistory}, {3, 3}, {25, 18}} {
		r := NewMetricRun(Metric{Retention: tc.retention})
		for _, m := range phases("SFIEEEESSSSSSSSSSS") {
			r.Record(m)
		}
		if len(r.Measurements) != tc.want {
			t.Errorf("retention %d: kept %d measurements, want %d", tc.retention, len(r.Measurements), tc.want)
		}
		if r.Count != 14 {
			t.Errorf("retention %d: count %d, want 14 (the counters cover every measurement)", tc.retention, r.Count)
		}
	}
}

func TestNextDelay(t *testing.T) {
	m := Metric{Interval: "1m", InitialDelay: "30s"}
	tests := []struct {
		name     string
		metric   Metric
		measured string
		want     time.Duration
	}{
		{"first waits initialDelay", m, "", 30 * time.Second},
		{"first without initialDelay", Metric{Interval: "1m"}, "", 0},
		{"then interval", m, "S", time.Minute},
		{"after failure interval", m, "F", time.Minute},
		{"after an error", m, "SE", ErrorRetryInterval},
		{"error without interval", Metric{}, "E", ErrorRetryInterval},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r MetricRun
			for _, x := range phases(tc.measured) {
				r.Record(x)
			}
			if got := r.NextDelay(tc.metric); got != tc.want {
				t.Fatalf("NextDelay = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	tests := []struct {
		in   []AnalysisPhase
		want AnalysisPhase
	}{
		{nil, AnalysisSuccessful},
		{[]AnalysisPhase{AnalysisSuccessful, AnalysisSuccessful}, AnalysisSuccessful},
		{[]AnalysisPhase{AnalysisSuccessful, AnalysisInconclusive}, AnalysisInconclusive},
		{[]AnalysisPhase{AnalysisInconclusive, AnalysisError, AnalysisSuccessful}, AnalysisError},
		{[]AnalysisPhase{AnalysisError, AnalysisFailed, AnalysisInconclusive}, AnalysisFailed},
		{[]AnalysisPhase{AnalysisFailed, AnalysisError}, AnalysisFailed},
		{[]AnalysisPhase{AnalysisSuccessful, AnalysisRunning}, AnalysisRunning},
		{[]AnalysisPhase{AnalysisSuccessful, "Bogus"}, AnalysisError},
	}
	for _, tc := range tests {
		t.Run(join(tc.in), func(t *testing.T) {
			if got := Combine(tc.in...); got != tc.want {
				t.Fatalf("Combine(%v) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func join(s []AnalysisPhase) string {
	out := "none"
	for i, p := range s {
		if i == 0 {
			out = string(p)
		} else {
			out += "," + string(p)
		}
	}
	return out
}

func TestAnalysisPhase(t *testing.T) {
	tests := []struct {
		phase              AnalysisPhase
		terminal, measured bool
	}{
		{"", false, false},
		{AnalysisPending, false, false},
		{AnalysisRunning, false, false},
		{AnalysisSuccessful, true, true},
		{AnalysisFailed, true, true},
		{AnalysisInconclusive, true, true},
		{AnalysisError, true, false},
		{AnalysisAborted, true, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.phase)+"_", func(t *testing.T) {
			if got := tc.phase.Terminal(); got != tc.terminal {
				t.Errorf("%q.Terminal() = %v, want %v", tc.phase, got, tc.terminal)
			}
			if got := tc.phase.Measured(); got != tc.measured {
				t.Errorf("%q.Measured() = %v, want %v", tc.phase, got, tc.measured)
			}
		})
	}
}

func TestConclude(t *testing.T) {
	plan := []PlannedMetric{{Template: "smoke", Metric: Metric{Name: "http"}}, {Template: "smoke", Metric: Metric{Name: "errors"}}}
	tests := []struct {
		name      string
		phases    []AnalysisPhase
		wantPhase AnalysisPhase
		wantMsg   string
	}{
		{"all successful", []AnalysisPhase{AnalysisSuccessful, AnalysisSuccessful}, AnalysisSuccessful, "2 metrics successful"},
		{"the first that did not succeed speaks", []AnalysisPhase{AnalysisSuccessful, AnalysisFailed}, AnalysisFailed, "smoke/errors: m1"},
		{"worst phase, first message", []AnalysisPhase{AnalysisInconclusive, AnalysisFailed}, AnalysisFailed, "smoke/http: m0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			phase, msg := Conclude(plan, tc.phases, []string{"m0", "m1"})
			if phase != tc.wantPhase || msg != tc.wantMsg {
				t.Errorf("Conclude = %s, %q; want %s, %q", phase, msg, tc.wantPhase, tc.wantMsg)
			}
		})
	}
}
