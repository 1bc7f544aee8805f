package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// TestStageNotifiesBeforeContinueAsNew: a promotion that ends while the
// server suggests continue-as-new is told to its Pipeline before the Stage
// continues as new, even when the signal takes a while to land. The Stage
// used to continue as new with the signal in flight, and the Pipeline
// never learnt that its Freight was in the stage.
func TestStageNotifiesBeforeContinueAsNew(t *testing.T) {
	tests := []struct {
		name    string
		landsIn time.Duration // how long each signal to another workflow takes
	}{
		{name: "signals land at once"},
		{name: "signals take a while", landsIn: 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			RegisterWorkflows(env)
			env.OnWorkflow(Promotion, mock.Anything, mock.Anything).Return(succeed(5 * time.Second))
			var told []string
			env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).After(tt.landsIn).Return(
				func(_, id, _, _ string, arg any) error {
					if ev, ok := arg.(StageEvent); ok && strings.HasSuffix(id, "/pipeline/images") {
						told = append(told, ev.Promotion)
					}
					return nil
				})
			cfg := testStageConfig(false)
			cfg.Stage.Spec.RequestedFreight = cfg.Stage.Spec.RequestedFreight[:1]
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, cfg) }, 0)
			env.RegisterDelayedCallback(func() {
				env.SignalWorkflow(SignalRequest, req(false, "p1", ref("i1", "images")))
			}, time.Second)
			env.RegisterDelayedCallback(func() { env.SetContinueAsNewSuggested(true) }, 2*time.Second)
			env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
			env.ExecuteWorkflow(Stage, StageState{Project: "p", Stage: "uat"})
			var can *workflow.ContinueAsNewError
			require.True(t, errors.As(env.GetWorkflowError(), &can), "the stage continues as new: %v", env.GetWorkflowError())
			require.Equal(t, []string{"p1"}, told, "the pipeline hears of p1 before the stage continues as new")
		})
	}
}

// TestPipelinePromoteBeforeContinueAsNew: a promote signal whose request to
// the stage is still in flight when the server suggests continue-as-new,
// and another signal wakes the Pipeline, is finished first: the stage gets
// the request, and the next run remembers it.
func TestPipelinePromoteBeforeContinueAsNew(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	env.OnActivity(acts.Discover, mock.Anything, mock.Anything).Return(commits("aaa"), nil)
	var asked []string
	env.OnSignalExternalWorkflow(mock.Anything, "p/stage/dev", "", SignalRequest, mock.Anything).After(200 * time.Millisecond).Return(
		func(_, _, _, _ string, arg any) error {
			asked = append(asked, arg.(railyard.PromotionRequest).Actor)
			return nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, testConfig()) }, 0)
	env.RegisterDelayedCallback(func() {
		id := queryFreight(t, env)[0].ID
		env.SetContinueAsNewSuggested(true)
		env.SignalWorkflow(SignalPromote, PromoteRequest{Stage: "dev", Freight: id, Actor: "alice"})
		env.SignalWorkflow(SignalRefresh, nil) // wakes the main loop meanwhile
	}, 10*time.Second)
	env.ExecuteWorkflow(Pipeline, PipelineState{Project: "p", Warehouse: "app"})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next PipelineState
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.Equal(t, []string{"alice"}, asked, "the stage got alice's request")
	require.Equal(t, next.Freight[0].ID, next.Requested["dev"], "the next run knows what it asked of dev")
}
