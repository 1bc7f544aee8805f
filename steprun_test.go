package railyard

import (
	"reflect"
	"testing"
)

func TestWorstAndFinalPhase(t *testing.T) {
	tests := []struct {
		name      string
		steps     []StepState
		wantPhase PromotionPhase
	}{
		{"none", nil, PhaseSucceeded},
		{"all skipped", []StepState{{Status: StepSkipped}}, PhaseSucceeded},
		{"failed beats aborted", []StepState{{Status: StepAborted}, {Status: StepFailed}}, PhaseFailed},
		{"errored worst", []StepState{{Status: StepErrored}, {Status: StepFailed}}, PhaseErrored},
		{"continueOnError ignored", []StepState{{Status: StepErrored, ContinueOnError: true}, {Status: StepSucceeded}}, PhaseSucceeded},
		{"running", []StepState{{Status: StepRunning}, {Status: StepSkipped}}, PromotionPhase(StepRunning)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := FinalPhase(tc.steps); got != tc.wantPhase {
				t.Errorf("FinalPhase = %s, want %s", got, tc.wantPhase)
			}
		})
	}
	if got := Worst(StepSkipped, StepSucceeded, StepRunning); got != StepRunning {
		t.Errorf("Worst = %s", got)
	}
	_, msg := FinalPhase([]StepState{{Alias: "push", Status: StepFailed, Message: "rejected"}})
	if msg != `step "push" Failed: rejected` {
		t.Errorf("message %q", msg)
	}
}

func TestApplyAndThresholds(t *testing.T) {
	out := StepResponse{Alias: "t::o", Output: map[string]any{"a": 1}, TaskAlias: "t", TaskOutput: map[string]any{"a": 1}}.
		Apply(map[string]map[string]any{"t": {"b": 2}})
	want := map[string]map[string]any{"t::o": {"a": 1}, "t": {"a": 1, "b": 2}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("Apply = %v", out)
	}
	if ErrorThreshold(PromotionStep{}) != 1 || ErrorThreshold(PromotionStep{Retry: &StepRetry{ErrorThreshold: 3}}) != 3 {
		t.Error("ErrorThreshold defaults")
	}
	if AliasOf(PromotionStep{As: "x"}, 1) != "x" || AliasOf(PromotionStep{}, 1) != "step-1" {
		t.Error("AliasOf")
	}
}

func TestStepStates(t *testing.T) {
	steps := []PromotionStep{{Uses: "git-clone"}, {Uses: "http", ContinueOnError: true}, {Uses: "git-push"}}
	tests := []struct {
		name    string
		records []StepRecord
		want    []StepState
	}{
		{"none yet", nil, []StepState{}},
		{"continueOnError from the step", []StepRecord{
			{Alias: "clone", Uses: "git-clone", Status: StepSucceeded},
			{Alias: "step-1", Uses: "http", Status: StepFailed, Message: "404"},
		}, []StepState{
			{Alias: "clone", Status: StepSucceeded},
			{Alias: "step-1", Status: StepFailed, Message: "404", ContinueOnError: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StepStates(tc.records, steps); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("StepStates = %+v, want %+v", got, tc.want)
			}
		})
	}
}
