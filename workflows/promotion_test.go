package workflows

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

func promotionInput() PromotionInput {
	ref := railyard.FreightRef{ID: "f1", Origin: railyard.WarehouseOrigin("app")}
	step := func(uses string) railyard.PromotionStep {
		return railyard.PromotionStep{Uses: uses, Config: json.RawMessage(`{"path":"out"}`)}
	}
	return PromotionInput{Project: "p", Stage: "dev", Name: "dev.x.f1", Targets: []railyard.FreightRef{ref},
		Collection: railyard.NewCollection(ref),
		Steps:      []railyard.PromotionStep{step("git-clone"), step("git-commit"), step("git-push")}}
}

func TestPromotion(t *testing.T) {
	cases := []struct {
		name       string
		results    []any // RunStep outcomes in call order: railyard.StepResponse or error
		phase      railyard.PromotionPhase
		errType    string // the workflow's error type; "" when it succeeds
		waitingFor []string
		workspaces int
		runs       int
	}{
		{"all succeed", []any{ok(), ok(), ok()}, railyard.PhaseSucceeded, "", nil, 1, 3},
		{"worker lost before push starts over", []any{ok(), ok(),
			temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, nil), ok(), ok(), ok()},
			railyard.PhaseSucceeded, "", nil, 2, 6},
		{"worker lost mid-step (heartbeat) starts over", []any{ok(),
			temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_HEARTBEAT, nil), ok(), ok(), ok()},
			railyard.PhaseSucceeded, "", nil, 2, 5},
		{"steps that reached another worker go to the workspace's worker", []any{
			temporal.NewNonRetryableApplicationError("elsewhere", activities.ErrTypeWorkspaceElsewhere, nil), ok(), ok(), ok()},
			railyard.PhaseSucceeded, "", nil, 1, 4},
		{"failed step fails the promotion and skips the rest", []any{ok(),
			railyard.StepResponse{Status: railyard.StepFailed, Message: "boom", Terminal: true}, skipped()},
			railyard.PhaseFailed, ErrTypePromotionFailed, nil, 1, 3},
		{"a step needing an empty slot names it", []any{
			railyard.StepResponse{Status: railyard.StepErrored, Message: "needs Freight from config", Terminal: true,
				EmptySlots: []string{"config"}}, skipped(), skipped()},
			railyard.PhaseErrored, ErrTypePromotionErrored, []string{"config"}, 1, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newPromotionEnv()
			calls := 0
			onSteps(env, 0,
				func(_ context.Context, req railyard.StepRequest) (railyard.StepResponse, error) {
					r := tc.results[calls]
					calls++
					if err, isErr := r.(error); isErr {
						return railyard.StepResponse{}, err
					}
					resp := r.(railyard.StepResponse)
					resp.Alias = req.Alias
					return resp, nil
				})
			env.ExecuteWorkflow(Promotion, promotionInput())
			st := promotionResult(t, env, tc.errType)
			require.Equal(t, tc.phase, st.Phase, st.Message)
			require.Equal(t, tc.workspaces, st.Workspaces)
			require.Equal(t, tc.runs, calls)
			require.Len(t, st.Steps, 3)
			require.Equal(t, tc.waitingFor, st.WaitingFor)
		})
	}
}

// promotionResult returns the status a Promotion ended with: its result, or
// the details of the error it failed with, checking the error's type.
func promotionResult(t *testing.T, env *testsuite.TestWorkflowEnvironment, errType string) PromotionStatus {
	t.Helper()
	var st PromotionStatus
	err := env.GetWorkflowError()
	if errType == "" {
		require.NoError(t, err)
		require.NoError(t, env.GetWorkflowResult(&st))
		return st
	}
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app, "a promotion that did not succeed fails its workflow")
	require.Equal(t, errType, app.Type())
	require.NoError(t, app.Details(&st))
	return st
}

func ok() railyard.StepResponse      { return railyard.StepResponse{Status: railyard.StepSucceeded} }
func skipped() railyard.StepResponse { return railyard.StepResponse{Status: railyard.StepSkipped} }

func TestPromotionAbortedDuringAStep(t *testing.T) {
	env := newPromotionEnv()
	onSteps(env, 10*time.Minute, func(context.Context, railyard.StepRequest) (railyard.StepResponse, error) { return ok(), nil })
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Minute)
	env.ExecuteWorkflow(Promotion, promotionInput())
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled, "an aborted promotion ends canceled")
	var st PromotionStatus
	require.NoError(t, canceled.Details(&st))
	require.Equal(t, railyard.PhaseAborted, st.Phase)
}
