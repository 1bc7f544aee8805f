package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities/verify"
)

func testStageConfig(verified bool) StageConfig {
	st := railyard.Stage{Name: "uat", Spec: railyard.StageSpec{
		RequestedFreight: []railyard.FreightRequest{
			{Origin: railyard.WarehouseOrigin("images"), Sources: railyard.FreightSources{Stages: []string{"dev"}}},
			{Origin: railyard.WarehouseOrigin("config"), Sources: railyard.FreightSources{Stages: []string{"dev"}}}},
		PromotionTemplate: &railyard.PromotionTemplate{Spec: railyard.PromotionTemplateSpec{
			Steps: []railyard.PromotionStep{{Uses: "fail"}}}}}}
	cfg := StageConfig{Project: "p", Stage: st, Steps: st.Spec.PromotionTemplate.Spec.Steps, Generation: 1}
	if verified {
		cfg.Stage.Spec.Verification = &railyard.Verification{AnalysisTemplates: []railyard.AnalysisTemplateRef{{Name: "t"}}}
		cfg.AnalysisTemplates = []railyard.AnalysisTemplate{{Name: "t"}}
	}
	return cfg
}

func ref(id, origin string) railyard.FreightRef {
	return railyard.FreightRef{ID: id, Origin: railyard.WarehouseOrigin(origin)}
}

// TestStageQueue: one promotion at a time in FIFO order; the next is
// granted only once the collection the first produced has been verified;
// the grant carries the other slot along; provenance is recorded.
func TestStageQueue(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	var grants []string
	var grantAt []time.Duration
	start := env.Now()
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).Return(
		func(_, id, _, name string, arg any) error {
			if g, ok := arg.(Grant); ok && name == SignalGrant {
				grants = append(grants, id+" "+g.Collection.Summary())
				grantAt = append(grantAt, env.Now().Sub(start))
			}
			return nil
		})
	plan := []verify.PlannedMetric{{Template: "t", Metric: railyard.Metric{Name: "m"}}}
	env.OnActivity(acts.PlanVerification, mock.Anything, mock.Anything).Return(plan, nil)
	env.OnActivity(acts.Measure, mock.Anything, mock.Anything).After(time.Minute).Return(
		func(context.Context, verify.MeasureInput) (verify.Measurement, error) {
			return verify.Measurement{Phase: VerifySuccessful}, nil
		})
	dev := railyard.NewCollection(ref("i1", "images"), ref("c1", "config"))
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalConfigure, testStageConfig(true))
		env.SignalWorkflow(SignalUpstream, UpstreamEvent{Stage: "dev", Collection: dev, Verified: true})
		env.SignalWorkflow(SignalEnqueue, Enqueue{WorkflowID: "w1", Promotion: "p1", Targets: []railyard.FreightRef{ref("i1", "images")}})
		env.SignalWorkflow(SignalEnqueue, Enqueue{WorkflowID: "w2", Promotion: "p2", Targets: []railyard.FreightRef{ref("c1", "config")}})
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		require.Len(t, grants, 1, "one promotion at a time")
		env.SignalWorkflow(SignalPromotionDone, PromotionDone{Promotion: "p1", Phase: PhaseSucceeded,
			Collection: railyard.NewCollection(ref("i1", "images")), FinishedAt: env.Now()})
	}, 10*time.Second)
	env.RegisterDelayedCallback(func() {
		require.Len(t, grants, 2)
		env.SignalWorkflow(SignalPromotionDone, PromotionDone{Promotion: "p2", Phase: PhaseSucceeded,
			Collection: dev, FinishedAt: env.Now()})
	}, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		var st StageState
		require.NoError(t, v.Get(&st))
		require.Len(t, st.History, 2)
		require.Equal(t, VerifySuccessful, st.History[0].Verification.Phase)
		require.Equal(t, []string{"dev"}, st.History[0].VerifiedUpstream, "(i1, c1) was verified together in dev")
		env.CancelWorkflow()
	}, 4*time.Minute)
	env.ExecuteWorkflow(Stage, StageState{Project: "p", Stage: "uat"})
	require.Equal(t, []string{"w1 images=i1", "w2 config=c1, images=i1"}, grants, "FIFO, and the second carries the first's slot")
	require.GreaterOrEqual(t, grantAt[1], 70*time.Second, "the second waits for the first collection's verification (1m measurement)")
}
