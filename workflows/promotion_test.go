package workflows

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
	"github.com/railyard/railyard/activities/steps"
)

func grant() Grant {
	ref := railyard.FreightRef{ID: "f1", Origin: railyard.WarehouseOrigin("app")}
	step := func(uses string) railyard.PromotionStep {
		return railyard.PromotionStep{Uses: uses, Config: json.RawMessage(`{"path":"out"}`)}
	}
	return Grant{Collection: railyard.NewCollection(ref),
		Steps: []railyard.PromotionStep{step("git-clone"), step("git-commit"), step("git-push")}}
}

func TestPromotion(t *testing.T) {
	cases := []struct {
		name       string
		results    []any // RunStep outcomes in call order: steps.StepResponse or error
		phase      string
		workspaces int
		runs       int
	}{
		{"all succeed", []any{ok(), ok(), ok()}, PhaseSucceeded, 1, 3},
		{"worker lost before push starts over", []any{ok(), ok(),
			temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, nil), ok(), ok(), ok()},
			PhaseSucceeded, 2, 6},
		{"failed step fails the promotion and skips the rest", []any{ok(),
			steps.StepResponse{Status: steps.StatusFailed, Message: "boom", Terminal: true}, skipped()},
			PhaseFailed, 1, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			RegisterWorkflows(env)
			var signals []string
			env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).Return(
				func(_, id, _, name string, _ any) error { signals = append(signals, id+" "+name); return nil })
			env.OnActivity(acts.CreateWorkspace, mock.Anything, mock.Anything).Return(
				activities.Workspace{Dir: "/w", TaskQueue: "host"}, nil)
			env.OnActivity(acts.RemoveWorkspace, mock.Anything, mock.Anything).Return(nil)
			calls := 0
			env.OnActivity(acts.RunStep, mock.Anything, mock.Anything).Return(
				func(_ context.Context, req steps.StepRequest) (steps.StepResponse, error) {
					r := tc.results[calls]
					calls++
					if err, isErr := r.(error); isErr {
						return steps.StepResponse{}, err
					}
					resp := r.(steps.StepResponse)
					resp.Alias = req.Alias
					return resp, nil
				})
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalGrant, grant()) }, time.Second)
			env.ExecuteWorkflow(Promotion, PromotionInput{Project: "p", Stage: "dev", Name: "dev.x.f1",
				Targets: []railyard.FreightRef{{ID: "f1"}}, Parent: "p/pipeline/app"})
			require.NoError(t, env.GetWorkflowError())
			var st PromotionStatus
			require.NoError(t, env.GetWorkflowResult(&st))
			require.Equal(t, tc.phase, st.Phase, st.Message)
			require.Equal(t, tc.workspaces, st.Workspaces)
			require.Equal(t, tc.runs, calls)
			require.Len(t, st.Steps, 3)
			require.Equal(t, []string{"p/stage/dev enqueue", "p/stage/dev promotion-done",
				"p/pipeline/app promotion-done"}, signals)
		})
	}
}

func ok() steps.StepResponse      { return steps.StepResponse{Status: steps.StatusSucceeded} }
func skipped() steps.StepResponse { return steps.StepResponse{Status: steps.StatusSkipped} }

func TestPromotionAbortedDuringAStep(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	var signals []string
	var phase string
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).Return(
		func(_, id, _, name string, arg any) error {
			signals = append(signals, id+" "+name)
			if d, ok := arg.(PromotionDone); ok {
				phase = d.Phase
			}
			return nil
		})
	env.OnActivity(acts.CreateWorkspace, mock.Anything, mock.Anything).Return(activities.Workspace{Dir: "/w", TaskQueue: "host"}, nil)
	env.OnActivity(acts.RemoveWorkspace, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.RunStep, mock.Anything, mock.Anything).After(10*time.Minute).Return(ok(), nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalGrant, grant()) }, time.Second)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Minute)
	env.ExecuteWorkflow(Promotion, PromotionInput{Project: "p", Stage: "dev", Name: "dev.x.f1",
		Targets: []railyard.FreightRef{{ID: "f1"}}, Parent: "p/pipeline/app"})
	var st PromotionStatus
	require.NoError(t, env.GetWorkflowResult(&st))
	require.Equal(t, PhaseAborted, st.Phase)
	require.Equal(t, PhaseAborted, phase, "the stage and parent hear Aborted, which releases the stage")
	require.Contains(t, signals, "p/stage/dev promotion-done")
}
