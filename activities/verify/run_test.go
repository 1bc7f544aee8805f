package verify

import (
	"testing"
	"time"

	"github.com/railyard/railyard"
)

func ios(s string) *railyard.IntOrString { v := railyard.IntOrString(s); return &v }

// phases turns "SFIE" into measurements.
func phases(s string) []Measurement {
	names := map[rune]string{'S': PhaseSuccessful, 'F': PhaseFailed, 'I': PhaseInconclusive, 'E': PhaseError}
	var out []Measurement
	for _, r := range s {
		out = append(out, Measurement{Phase: names[r], Message: "m" + string(r)})
	}
	return out
}

func withSuccess(m railyard.Metric, n string) railyard.Metric {
	m.ConsecutiveSuccessLimit = ios(n)
	return m
}

func dry(m railyard.Metric) railyard.Metric {
	m.DryRun = true
	return m
}

func TestDecide(t *testing.T) {
	once := railyard.Metric{Name: "m"}
	three := railyard.Metric{Name: "m", Interval: "1m", Count: ios("3")}
	forever := railyard.Metric{Name: "m", Interval: "1m"}
	tests := []struct {
		name     string
		metric   railyard.Metric
		measured string
		done     bool
		phase    string
		message  string
	}{
		{"nothing yet", once, "", false, PhasePending, ""},
		{"single success", once, "S", true, PhaseSuccessful, `metric "m": 1 of 1 measurements taken`},
		{"single failure", once, "F", true, PhaseFailed, `metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"single inconclusive", once, "I", true, PhaseInconclusive, `metric "m" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): mI`},
		{"error is retried", once, "E", false, PhaseRunning, "mE"},
		{"four errors in a row are retried", once, "EEEE", false, PhaseRunning, "mE"},
		{"five errors in a row", once, "EEEEE", true, PhaseError, `metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): mE`},
		{"errors reset by a success", three, "EEEESEEEES", false, PhaseRunning, "mS"},
		{"errors do not count", once, "EES", true, PhaseSuccessful, `metric "m": 1 of 1 measurements taken`},
		{"count running", three, "SS", false, PhaseRunning, "mS"},
		{"count reached", three, "SSS", true, PhaseSuccessful, `metric "m": 3 of 3 measurements taken`},
		{"failure within count", three, "SF", true, PhaseFailed, `metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"failure limit tolerates", withLimits(three, "1", "", ""), "FSS", true, PhaseSuccessful, `metric "m": 3 of 3 measurements taken`},
		{"failure limit exceeded", withLimits(three, "1", "", ""), "FF", true, PhaseFailed, `metric "m" assessed Failed due to failed (2) > failureLimit (1): mF`},
		{"negative failure limit", withLimits(three, "-1", "", ""), "FFF", true, PhaseSuccessful, `metric "m": 3 of 3 measurements taken`},
		{"inconclusive limit", withLimits(three, "", "1", ""), "IS", false, PhaseRunning, "mS"},
		{"error limit 0", withLimits(three, "", "", "0"), "E", true, PhaseError, `metric "m" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): mE`},
		{"error beats failure", withLimits(three, "", "", "0"), "FE", true, PhaseError, `metric "m" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): mE`},
		{"no count with interval runs on", forever, "SSSSSSSSSSSS", false, PhaseRunning, "mS"},
		{"count 0 with interval runs on", withCount(forever, "0"), "SS", false, PhaseRunning, "mS"},
		{"failure stops an endless metric", forever, "SSF", true, PhaseFailed, `metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"consecutive successes end an endless metric", withSuccess(withLimits(forever, "-1", "", ""), "3"), "FSFSSS", true, PhaseSuccessful,
			`metric "m": 3 successful measurements in a row`},
		{"consecutive successes reset", withSuccess(withLimits(forever, "-1", "", ""), "3"), "SSFSS", false, PhaseRunning, "mS"},
		{"failure limit beats consecutive successes", withSuccess(withLimits(forever, "1", "", ""), "3"), "SFSF", true, PhaseFailed,
			`metric "m" assessed Failed due to failed (2) > failureLimit (1): mF`},
		{"count reached without the successes", withSuccess(withLimits(three, "-1", "", ""), "3"), "SFS", true, PhaseInconclusive,
			`metric "m": 3 measurements taken without 3 successes in a row`},
		{"dry run failure counts as success", dry(once), "F", true, PhaseSuccessful,
			`dry run, would be Failed: metric "m" assessed Failed due to failed (1) > failureLimit (0): mF`},
		{"dry run success", dry(once), "S", true, PhaseSuccessful, `metric "m": 1 of 1 measurements taken`},
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

func withLimits(m railyard.Metric, failure, inconclusive, consecutiveError string) railyard.Metric {
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

func withCount(m railyard.Metric, c string) railyard.Metric { m.Count = ios(c); return m }

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
		r := NewMetricRun(railyard.Metric{Retention: tc.retention})
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
	m := railyard.Metric{Interval: "1m", InitialDelay: "30s"}
	tests := []struct {
		name     string
		metric   railyard.Metric
		measured string
		want     time.Duration
	}{
		{"first waits initialDelay", m, "", 30 * time.Second},
		{"first without initialDelay", railyard.Metric{Interval: "1m"}, "", 0},
		{"then interval", m, "S", time.Minute},
		{"after failure interval", m, "F", time.Minute},
		{"after an error", m, "SE", ErrorRetryInterval},
		{"error without interval", railyard.Metric{}, "E", ErrorRetryInterval},
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
		in   []string
		want string
	}{
		{nil, PhaseSuccessful},
		{[]string{PhaseSuccessful, PhaseSuccessful}, PhaseSuccessful},
		{[]string{PhaseSuccessful, PhaseInconclusive}, PhaseInconclusive},
		{[]string{PhaseInconclusive, PhaseError, PhaseSuccessful}, PhaseError},
		{[]string{PhaseError, PhaseFailed, PhaseInconclusive}, PhaseFailed},
		{[]string{PhaseFailed, PhaseError}, PhaseFailed},
		{[]string{PhaseSuccessful, PhaseRunning}, PhaseRunning},
		{[]string{PhaseSuccessful, "Bogus"}, PhaseError},
	}
	for _, tc := range tests {
		t.Run(join(tc.in), func(t *testing.T) {
			if got := Combine(tc.in...); got != tc.want {
				t.Fatalf("Combine(%v) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func join(s []string) string {
	out := "none"
	for i, p := range s {
		if i == 0 {
			out = p
		} else {
			out += "," + p
		}
	}
	return out
}
