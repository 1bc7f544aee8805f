package activities

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/steps"
)

func TestPrepareWorkRoot(t *testing.T) {
	parent := t.TempDir()
	dead := filepath.Join(parent, "dead")
	live := filepath.Join(parent, "live")
	for dir, pid := range map[string]string{dead: "999999999", live: "1"} {
		if err := os.MkdirAll(filepath.Join(dir, "promotion-x"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(pid), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := PrepareWorkRoot(parent, "me")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dir    string
		exists bool
	}{{dead, false}, {live, true}, {root, true}}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			if _, err := os.Stat(tc.dir); (err == nil) != tc.exists {
				t.Errorf("%s exists=%v, want %v", tc.dir, err == nil, tc.exists)
			}
		})
	}
	a := &Activities{WorkRoot: root, HostQueue: "q"}
	ws, err := a.CreateWorkspace(t.Context(), "dev.01/x")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveWorkspace(t.Context(), ws); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveWorkspace(t.Context(), Workspace{Dir: "/etc"}); err == nil {
		t.Error("removing a directory outside the work root was allowed")
	}
}

func TestRunStepRefusesAnotherWorkersWorkspace(t *testing.T) {
	a := &Activities{WorkRoot: "/work/root-1"}
	cases := []struct {
		dir  string
		here bool
	}{
		{"/work/root-1/dev.x.f1", true},
		{"/work/root-10/dev.x.f1", false},
		{"/work/root-1/../root-2/p", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			if got := a.holds(tc.dir); got != tc.here {
				t.Errorf("holds(%q) = %v, want %v", tc.dir, got, tc.here)
			}
		})
	}
}

// TestRunSteps runs batches on the real step engine: each step sees the
// outputs of the ones before it in the batch, and the batch stops at the
// first step that does not end Succeeded or Skipped.
func TestRunSteps(t *testing.T) {
	root := t.TempDir()
	a := &Activities{WorkRoot: root, Steps: &steps.Engine{Registry: steps.Registry{}.Add(steps.ComposeOutput{}, steps.Fail{})}}
	step := func(uses, as, config string) railyard.PromotionStep {
		return railyard.PromotionStep{Uses: uses, As: as, Config: json.RawMessage(config)}
	}
	tests := []struct {
		name     string
		steps    []railyard.PromotionStep
		statuses []railyard.StepStatus
	}{
		{name: "all end", steps: []railyard.PromotionStep{step("compose-output", "a", `{"x":"1"}`),
			step("compose-output", "b", `{"y":"${{ outputs.a.x }}"}`), step("compose-output", "", `{}`)},
			statuses: []railyard.StepStatus{railyard.StepSucceeded, railyard.StepSucceeded, railyard.StepSucceeded}},
		{name: "stops at a failure", steps: []railyard.PromotionStep{step("compose-output", "a", `{"x":"1"}`),
			step("fail", "", `{"message":"no"}`), step("compose-output", "", `{}`)},
			statuses: []railyard.StepStatus{railyard.StepSucceeded, railyard.StepFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(a)
			first := railyard.StepRequest{Step: tt.steps[0], Alias: railyard.AliasOf(tt.steps[0], 0),
				Promotion: railyard.PromotionInfo{Project: "p", Stage: "dev", Name: "dev.x", WorkDir: filepath.Join(root, "dev.x")}}
			val, err := env.ExecuteActivity(a.RunSteps, railyard.StepBatch{First: first, Steps: tt.steps})
			if err != nil {
				t.Fatal(err)
			}
			var out railyard.StepBatchResponse
			if err := val.Get(&out); err != nil {
				t.Fatal(err)
			}
			var got []railyard.StepStatus
			for _, r := range out.Responses {
				got = append(got, r.Status)
			}
			if !slices.Equal(got, tt.statuses) || len(out.Durations) != len(got) {
				t.Fatalf("statuses %v (durations %v), want %v: %+v", got, out.Durations, tt.statuses, out.Responses)
			}
			if tt.name == "all end" && fmt.Sprint(out.Responses[1].Output["y"]) != "1" {
				t.Errorf("the second step saw outputs.a.x = %v", out.Responses[1].Output["y"])
			}
		})
	}
}
