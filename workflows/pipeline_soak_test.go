package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
)

// TestPipelineWaitsForSoak: Freight verified in dev reaches uat by
// auto-promotion only once it has soaked there for requiredSoakTime, woken
// by a timer rather than by polling.
func TestPipelineWaitsForSoak(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	env.OnActivity(acts.Discover, mock.Anything, mock.Anything).Return(commits("aaa"), nil)
	var started []time.Duration
	begin := env.Now()
	env.OnSignalExternalWorkflow(mock.Anything, "p/stage/uat", "", SignalRequest, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			started = append(started, env.Now().Sub(begin))
			return nil
		})
	cfg := testConfig()
	cfg.Warehouse.Spec.Interval = "24h"
	cfg.Route[1].AutoPromote = true
	cfg.Route[1].Request.Sources.RequiredSoakTime = "1h"
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConfigure, cfg) }, 0)
	env.RegisterDelayedCallback(func() {
		fs := queryFreight(t, env)
		col := railyard.NewCollection(fs[0].Ref())
		env.SignalWorkflow(SignalStageEvent, StageEvent{Stage: "dev", Collection: col, Verified: true, At: env.Now()})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		require.Empty(t, started, "asked uat to promote before the soak ended")
	}, 50*time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, 3*time.Hour)
	env.ExecuteWorkflow(Pipeline, PipelineState{Project: "p", Warehouse: "app"})
	require.Len(t, started, 1)
	soaked := started[0]
	require.True(t, soaked >= 61*time.Minute && soaked < 62*time.Minute,
		"uat promotion started %s after start; want right after the 1h soak that began at 1m", soaked)
}
