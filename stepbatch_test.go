package railyard

import (
	"testing"
	"time"
)

func TestStepRequestNext(t *testing.T) {
	steps := []PromotionStep{{Uses: "git-clone", As: "clone"}, {Uses: "set-metadata", ContinueOnError: true}, {Uses: "git-push"}}
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	first := StepRequest{Step: steps[0], Index: 0, Alias: "clone", Vars: []ExpressionVar{{Name: "v", Value: "1"}},
		Outputs: map[string]map[string]any{}, Promotion: PromotionInfo{Name: "p"}}
	metadata := StepResponse{Status: StepSucceeded, Output: map[string]any{"updates": []any{
		map[string]any{"kind": "Stage", "name": "dev", "values": map[string]any{"k": "v"}}}}}
	tests := []struct {
		name  string
		req   StepRequest
		resp  StepResponse
		ok    bool
		check func(t *testing.T, next StepRequest)
	}{
		{name: "succeeded: the next step sees it", req: first,
			resp: StepResponse{Status: StepSucceeded, Message: "cloned", Output: map[string]any{"commit": "abc"}}, ok: true,
			check: func(t *testing.T, next StepRequest) {
				if next.Index != 1 || next.Alias != "step-1" || next.Step.Uses != "set-metadata" || !next.StartedAt.Equal(now) {
					t.Errorf("next = %d %s %s %v", next.Index, next.Alias, next.Step.Uses, next.StartedAt)
				}
				if len(next.Statuses) != 1 || next.Statuses[0] != (StepState{Alias: "clone", Status: StepSucceeded, Message: "cloned"}) {
					t.Errorf("statuses = %+v", next.Statuses)
				}
				if next.Outputs["clone"]["commit"] != "abc" || len(first.Outputs) != 0 {
					t.Errorf("outputs = %v, the first request's now %v", next.Outputs, first.Outputs)
				}
				if next.Promotion.Name != "p" || len(next.Vars) != 1 {
					t.Errorf("promotion and vars not carried: %+v", next)
				}
			}},
		{name: "skipped: the next step runs", req: first, resp: StepResponse{Status: StepSkipped}, ok: true,
			check: func(t *testing.T, next StepRequest) {
				if next.Statuses[0].Status != StepSkipped || len(next.Outputs) != 0 {
					t.Errorf("next = %+v", next)
				}
			}},
		{name: "set-metadata: its updates are seen", req: StepRequest{Step: steps[1], Index: 1, Alias: "step-1"}, resp: metadata, ok: true,
			check: func(t *testing.T, next StepRequest) {
				if len(next.Metadata) != 1 || next.Metadata[0].Name != "dev" || !next.Statuses[0].ContinueOnError {
					t.Errorf("metadata %+v, statuses %+v", next.Metadata, next.Statuses)
				}
			}},
		{name: "running stops the batch", req: first, resp: StepResponse{Status: StepRunning}},
		{name: "errored stops the batch", req: first, resp: StepResponse{Status: StepErrored}},
		{name: "failed stops the batch", req: first, resp: StepResponse{Status: StepFailed}},
		{name: "aborted stops the batch", req: first, resp: StepResponse{Status: StepAborted}},
		{name: "the last step has no next", req: StepRequest{Step: steps[2], Index: 2}, resp: StepResponse{Status: StepSucceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, ok := tt.req.Next(tt.resp, steps, now)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if tt.check != nil {
				tt.check(t, next)
			}
		})
	}
}
