package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/steps"
)

// heartbeatEvery is how often a running step tells Temporal it is alive;
// a worker that dies stops heartbeating and its step is given up quickly.
const heartbeatEvery = 5 * time.Second

// RunStep runs one promotion step in the promotion's workspace on this
// worker. Step outcomes (including failures) are results, not errors, so
// that each lands in history as the step's status.
func (a *Activities) RunStep(ctx context.Context, req steps.StepRequest) (steps.StepResponse, error) {
	stop := keepAlive(ctx)
	defer stop()
	return a.Steps.Run(creds.WithProject(ctx, req.Promotion.Project), req)
}

// keepAlive heartbeats until stopped; a cancellation requested by the
// workflow reaches ctx through the heartbeat's answer.
func keepAlive(ctx context.Context) func() {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}
