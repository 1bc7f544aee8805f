package verify

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name             string
		result           any
		success, failure string
		want             railyard.AnalysisPhase
		wantErr          string
	}{
		{name: "no conditions", result: 1.0, want: railyard.AnalysisSuccessful},
		{name: "success holds", result: 0.99, success: "result >= 0.95", want: railyard.AnalysisSuccessful},
		{name: "success does not hold", result: 0.5, success: "result >= 0.95", want: railyard.AnalysisFailed},
		{name: "failure holds", result: 0.5, failure: "result < 0.9", want: railyard.AnalysisFailed},
		{name: "failure does not hold", result: 0.99, failure: "result < 0.9", want: railyard.AnalysisSuccessful},
		{name: "both: failure wins", result: 0.1, success: "result > 0", failure: "result < 0.5", want: railyard.AnalysisFailed},
		{name: "both: success", result: 0.99, success: "result >= 0.95", failure: "result < 0.9", want: railyard.AnalysisSuccessful},
		{name: "both: neither", result: 0.92, success: "result >= 0.95", failure: "result < 0.9", want: railyard.AnalysisInconclusive},
		{name: "vector", result: []float64{0.99, 0.97}, success: "all(result, # >= 0.95)", want: railyard.AnalysisSuccessful},
		{name: "vector index", result: []float64{0.99}, success: "result[0] >= 0.95", want: railyard.AnalysisSuccessful},
		{name: "empty vector", result: []float64{}, success: "result[0] >= 0.95", wantErr: "the result is empty"},
		{name: "len of empty vector", result: []float64{}, success: "len(result) == 0", want: railyard.AnalysisSuccessful},
		{name: "json object", result: map[string]any{"ok": true}, success: "result.ok", want: railyard.AnalysisSuccessful},
		{name: "string", result: "true", success: `result == "true"`, want: railyard.AnalysisSuccessful},
		{name: "asInt", result: "42", success: "asInt(result) == 42", want: railyard.AnalysisSuccessful},
		{name: "asInt of float", result: 42.7, success: "asInt(result) == 42", want: railyard.AnalysisSuccessful},
		{name: "asFloat", result: "0.5", success: "asFloat(result) < 1", want: railyard.AnalysisSuccessful},
		{name: "asInt of garbage", result: "x", success: "asInt(result) == 1", wantErr: `successCondition "asInt(result) == 1"`},
		{name: "isNaN", result: []float64{math.NaN()}, failure: "isNaN(result[0])", want: railyard.AnalysisFailed},
		{name: "isInf", result: math.Inf(1), success: "!isInf(result)", want: railyard.AnalysisFailed},
		{name: "isNil", result: nil, success: "isNil(result)", want: railyard.AnalysisSuccessful},
		{name: "default", result: nil, success: "default(result, 1) == 1", want: railyard.AnalysisSuccessful},
		{name: "not a bool", result: 1.0, success: "result + 1", wantErr: "expected a bool"},
		{name: "does not compile", result: 1.0, failure: "result >=", wantErr: `failureCondition "result >="`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := railyard.Metric{Name: "m", SuccessCondition: tc.success, FailureCondition: tc.failure}
			got, err := Evaluate(tc.result, m)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != railyard.AnalysisError {
					t.Fatalf("Evaluate = %s, %v; want Error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Evaluate = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestJSONPath(t *testing.T) {
	doc := map[string]any{
		"data":  map[string]any{"ok": true, "a.b": 1.0},
		"items": []any{map[string]any{"v": 1.0, "n": "a"}, map[string]any{"v": 2.0, "n": "b"}},
	}
	tests := []struct {
		path    string
		want    any
		wantErr string
	}{
		{path: "", want: doc},
		{path: "{$}", want: doc},
		{path: "{$.data.ok}", want: true},
		{path: "{.data.ok}", want: true},
		{path: " { $.data.ok } ", want: true},
		{path: "{$.items[1].v}", want: 2.0},
		{path: "{$.items[-1].v}", want: 2.0},
		{path: "{$['data'].ok}", want: true},
		{path: `{$.data.a\.b}`, want: 1.0},
		{path: "{$.items[*].v}", want: []any{1.0, 2.0}},
		{path: "{$..v}", want: []any{1.0, 2.0}},
		{path: `{$.items[?(@.n=="b")].v}`, want: 2.0},
		{path: "{$.data.missing}", wantErr: "missing is not found"},
		{path: "{$.items[5]}", wantErr: "out of bounds"},
		{path: "$.data.ok", wantErr: "wrap the expression in braces"},
		{path: "{$.items[0}", wantErr: "unterminated"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := JSONPath(doc, tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, isMap := tc.want.(map[string]any); isMap {
				if _, ok := got.(map[string]any); !ok {
					t.Fatalf("got %v, want the whole document", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
