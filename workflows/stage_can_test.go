package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
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
