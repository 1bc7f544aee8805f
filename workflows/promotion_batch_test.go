package workflows

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

type stepFunc = func(context.Context, railyard.StepRequest) (railyard.StepResponse, error)

// newPromotionEnv is a test environment for a Promotion, whose workspace
// activities succeed (withWorkspace).
func newPromotionEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	withWorkspace(env)
	return env
}

// withWorkspace answers the workspace activities: /w on the worker "host".
func withWorkspace(env *testsuite.TestWorkflowEnvironment) {
	env.OnActivity(acts.CreateWorkspace, mock.Anything, mock.Anything).Return(activities.Workspace{Dir: "/w", TaskQueue: "host"}, nil)
	env.OnActivity(acts.RemoveWorkspace, mock.Anything, mock.Anything).Return(nil)
}

// onSteps answers both step activities with run, one step at a time:
// RunStep with run itself, RunSteps with batched(run). after delays each.
func onSteps(env *testsuite.TestWorkflowEnvironment, after time.Duration, run stepFunc) {
	env.OnActivity(acts.RunStep, mock.Anything, mock.Anything).After(after).Return(run)
	env.OnActivity(acts.RunSteps, mock.Anything, mock.Anything).After(after).Return(batched(run))
}

// batched runs a batch as the worker does: run for each step while the one
// before ended. An error ends the batch, its responses lost with it, as
// when its worker dies. Step i takes i+1 ms.
func batched(run stepFunc) func(context.Context, railyard.StepBatch) (railyard.StepBatchResponse, error) {
	return func(ctx context.Context, b railyard.StepBatch) (railyard.StepBatchResponse, error) {
		var out railyard.StepBatchResponse
		for req, ok := b.First, true; ok; {
			resp, err := run(ctx, req)
			if err != nil {
				return railyard.StepBatchResponse{}, err
			}
			out.Responses = append(out.Responses, resp)
			out.Durations = append(out.Durations, time.Duration(req.Index+1)*time.Millisecond)
			req, ok = req.Next(resp, b.Steps, req.StartedAt)
		}
		return out, nil
	}
}

// TestPromotionBatches: steps that end run in one activity; one that is
// Running stops its batch and is polled on its own; a batch carries on
// after it. The records are those of steps run one by one.
func TestPromotionBatches(t *testing.T) {
	env := newPromotionEnv()
	var batches, singles, waits int
	var seen []railyard.StepRequest
	run := func(_ context.Context, req railyard.StepRequest) (railyard.StepResponse, error) {
		seen = append(seen, req)
		resp := railyard.StepResponse{Alias: req.Alias, Status: railyard.StepSucceeded, Output: map[string]any{"n": req.Index}}
		if req.Step.Uses == "wait" {
			if waits++; waits < 3 {
				resp = railyard.StepResponse{Alias: req.Alias, Status: railyard.StepRunning, RetryAfter: time.Minute}
			}
		}
		return resp, nil
	}
	env.OnActivity(acts.RunStep, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req railyard.StepRequest) (railyard.StepResponse, error) {
			singles++
			return run(ctx, req)
		})
	env.OnActivity(acts.RunSteps, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, b railyard.StepBatch) (railyard.StepBatchResponse, error) {
			batches++
			return batched(run)(ctx, b)
		})
	in := promotionInput()
	step := func(uses, as string) railyard.PromotionStep {
		return railyard.PromotionStep{Uses: uses, As: as, Config: json.RawMessage(`{}`)}
	}
	in.Steps = []railyard.PromotionStep{step("clone", "a"), step("commit", ""), step("wait", "w"), step("push", "p"), step("note", "")}
	env.ExecuteWorkflow(Promotion, in)
	st := promotionResult(t, env, "")
	require.Equal(t, railyard.PhaseSucceeded, st.Phase)
	require.Equal(t, 2, batches, "one batch up to the waiting step, one after it")
	require.Equal(t, 2, singles, "the waiting step polled on its own")
	require.Len(t, st.Steps, 5)
	for i, rec := range st.Steps {
		require.Equal(t, railyard.StepSucceeded, rec.Status, "step %d", i)
		require.Equal(t, railyard.AliasOf(in.Steps[i], i), rec.Alias)
		require.Equal(t, in.Steps[i].Uses, rec.Uses)
	}
	require.Equal(t, 2*time.Millisecond, st.Steps[1].Duration, "a batched step's time is the worker's")
	require.GreaterOrEqual(t, st.Steps[2].Duration, 2*time.Minute, "a polled step's time is the workflow's")
	require.Equal(t, 2*time.Minute+3*time.Millisecond, st.Steps[2].Duration, "its first run's, in the batch, included")
	// The last step saw every earlier one, as when run one by one.
	last := seen[len(seen)-1]
	require.Len(t, last.Statuses, 4)
	outputs, err := json.Marshal(last.Outputs)
	require.NoError(t, err)
	require.JSONEq(t, `{"a":{"n":0},"step-1":{"n":1},"w":{"n":2},"p":{"n":3}}`, string(outputs))
}
