package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity options, one place for all of them.

func entityOptions(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second},
		Summary:             summary,
	})
}

func discoveryOptions(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 2 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute, MaximumAttempts: 4,
		},
		Summary: summary,
	})
}

// workspaceOptions places the workspace on whichever worker takes it first.
func workspaceOptions(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
		Summary:             summary,
	})
}

// defaultStepTimeout bounds a step without retry.timeout.
const defaultStepTimeout = 30 * time.Minute

// stepOptions pins a step to the worker holding the workspace. A worker that
// died is noticed by ScheduleToStart (nobody polls its queue any more) or by
// missed heartbeats; the promotion then starts over on another worker.
func stepOptions(ctx workflow.Context, queue, summary string, timeout time.Duration) workflow.Context {
	if timeout <= 0 {
		timeout = defaultStepTimeout
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              queue,
		ScheduleToStartTimeout: 30 * time.Second,
		StartToCloseTimeout:    timeout,
		HeartbeatTimeout:       20 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 1},
		Summary:                summary,
	})
}
