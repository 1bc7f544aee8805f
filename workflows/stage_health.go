package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// Health of the Argo CD Applications a Stage's current collection was
// promoted to. A coroutine keeps one WatchHealth activity pending: it
// returns only when the health changes (the worker watches Applications
// and shares one watch per cluster and namespace among all stages), or
// after healthMaxWait, so an idle stage adds a few events per half hour to
// its history however often Argo CD writes status.

// healthMaxWait bounds one WatchHealth activity; after it the stage looks
// at continue-as-new and starts another.
const healthMaxWait = 30 * time.Minute

// healthRetryAfter is the pause after a WatchHealth that failed for good
// (no cluster on the worker), before asking again.
const healthRetryAfter = 5 * time.Minute

// awaitingHealth reports whether the current collection waits for its
// Applications to be Healthy before it is verified.
func (s *stage) awaitingHealth() bool {
	if len(s.History) == 0 || len(s.History[0].Apps) == 0 {
		return false
	}
	h := s.History[0].Health
	return s.History[0].Verification.Phase == railyard.AnalysisPending && (h == nil || h.Phase != railyard.HealthHealthy)
}

// watchHealth starts watching the current collection's Applications when
// it has any and they are not watched yet, stopping the previous watch.
func (s *stage) watchHealth(ctx workflow.Context) {
	if len(s.History) == 0 || len(s.History[0].Apps) == 0 || s.healthOf == s.History[0].Promotion {
		return
	}
	if workflow.GetVersion(ctx, "stage-health", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	if s.cancelHealth != nil {
		s.cancelHealth()
	}
	promotion := s.History[0].Promotion
	hctx, cancel := workflow.WithCancel(ctx)
	s.healthOf, s.cancelHealth = promotion, cancel
	workflow.Go(hctx, func(ctx workflow.Context) { s.healthLoop(ctx, promotion) })
}

// healthLoop keeps the current collection's health up to date until the
// collection changes.
func (s *stage) healthLoop(ctx workflow.Context, promotion string) {
	var a *activities.Activities
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: healthMaxWait + time.Minute, HeartbeatTimeout: time.Minute,
		Summary:     "health of " + s.Stage + "'s Argo CD Applications",
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute}}
	if workflow.GetVersion(ctx, "stage-health-queue", workflow.DefaultVersion, 1) == 1 {
		opts.TaskQueue = railyard.HealthQueue(workflow.GetInfo(ctx).TaskQueueName)
	}
	actx := workflow.WithActivityOptions(ctx, opts)
	for ctx.Err() == nil {
		cur := &s.History[0]
		if cur.Promotion != promotion {
			return
		}
		in := activities.HealthInput{Stage: s.Stage, Apps: cur.Apps, Last: cur.Health, MaxWait: healthMaxWait}
		var h railyard.StageHealth
		err := workflow.ExecuteActivity(actx, a.WatchHealth, in).Get(ctx, &h)
		if ctx.Err() != nil || len(s.History) == 0 || s.History[0].Promotion != promotion {
			return
		}
		if err != nil {
			h = railyard.StageHealth{Phase: railyard.HealthUnknown, Message: errorMessage(err)}
		}
		s.History[0].Health, s.dirty = &h, true
		if err != nil {
			_ = workflow.NewTimerWithOptions(ctx, healthRetryAfter, workflow.TimerOptions{
				Summary: fmt.Sprintf("ask for %s's health again in %s", s.Stage, healthRetryAfter)}).Get(ctx, nil)
		}
	}
}
