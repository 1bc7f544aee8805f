package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
	"github.com/railyard/railyard/activities/verify"
)

// testTaskQueue is the test environment's task queue.
const testTaskQueue = "default-test-taskqueue"

// TestStageHealth: a promotion that updated Argo CD Applications is
// verified only once they are Healthy; the Stage keeps one health watch
// pending, on the health task queue, and records a later degradation with
// Argo CD's message.
func TestStageHealth(t *testing.T) {
	apps := []railyard.AppRef{{Namespace: "argocd", Name: "web", DesiredRevisions: []string{"abc"}}}
	r := newStageRun(t, func(ctx workflow.Context, in PromotionInput) (PromotionStatus, error) {
		st, err := succeed(time.Second)(ctx, in)
		st.HealthChecks = apps
		return st, err
	})
	health := []railyard.StageHealth{
		{Phase: railyard.HealthProgressing, Message: "sync running"},
		{Phase: railyard.HealthHealthy, Message: "Healthy and Synced"},
		{Phase: railyard.HealthDegraded, Message: "Degraded: Back-off restarting failed container"},
	}
	var watches []activities.HealthInput
	var queues []string
	r.env.OnActivity(acts.WatchHealth, mock.Anything, mock.Anything).After(10 * time.Second).Return(
		func(ctx context.Context, in activities.HealthInput) (railyard.StageHealth, error) {
			watches = append(watches, in)
			queues = append(queues, activity.GetInfo(ctx).TaskQueue)
			if n := len(watches); n <= len(health) {
				return health[n-1], nil
			}
			return *in.Last, nil
		})
	var planned time.Duration
	r.env.OnActivity(acts.PlanVerification, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.PlanInput) ([]verify.PlannedMetric, error) {
			planned = r.env.Now().Sub(r.start)
			return []verify.PlannedMetric{{Template: "t", Metric: railyard.Metric{Name: "m"}}}, nil
		})
	r.env.OnActivity(acts.Measure, mock.Anything, mock.Anything).Return(verify.Measurement{Phase: railyard.AnalysisSuccessful}, nil)
	r.at(time.Second, func() { r.signal(SignalRequest, req(false, "p1", ref("i1", "images"))) })
	r.at(15*time.Second, func() {
		cur := r.state().History[0]
		require.Equal(t, railyard.HealthProgressing, cur.Health.Phase)
		require.Equal(t, railyard.AnalysisPending, cur.Verification.Phase, "no verification while Progressing")
	})
	r.at(time.Minute, func() {
		cur := r.state().History[0]
		require.Equal(t, railyard.HealthDegraded, cur.Health.Phase)
		require.Contains(t, cur.Health.Message, "Back-off restarting")
		require.Equal(t, railyard.AnalysisSuccessful, cur.Verification.Phase)
	})
	cfg := testStageConfig(true)
	cfg.Stage.Spec.RequestedFreight = cfg.Stage.Spec.RequestedFreight[:1]
	cfg.Stage.Spec.RequestedFreight[0].Sources = railyard.FreightSources{Direct: true}
	r.run(cfg, 2*time.Minute)
	require.GreaterOrEqual(t, planned, 22*time.Second, "verification began once Healthy (second watch, after 20s)")
	require.Equal(t, apps, watches[0].Apps)
	require.Equal(t, railyard.HealthQueue(testTaskQueue), queues[0], "health watches have their own task queue")
	require.Equal(t, railyard.HealthProgressing, watches[0].Last.Phase, "the first watch starts from 'waiting for Argo CD'")
	require.Equal(t, railyard.HealthHealthy, watches[2].Last.Phase, "each watch returns only on a change from the last")
}
