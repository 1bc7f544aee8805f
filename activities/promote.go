package activities

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/railyard/railyard/activities/creds"
	"github.com/railyard/railyard/activities/steps"
)

// heartbeatEvery is how often a running step tells Temporal it is alive;
// a worker that dies stops heartbeating and its step is given up quickly.
const heartbeatEvery = 5 * time.Second

// ErrTypeWorkspaceElsewhere is the error type of a step that reached a
// worker other than the one holding its workspace; the Promotion then sends
// it to that worker's own queue.
const ErrTypeWorkspaceElsewhere = "WorkspaceElsewhere"

// RunStep runs one promotion step in the promotion's workspace on this
// worker. Step outcomes (including failures) are results, not errors, so
// that each lands in history as the step's status. A step whose workspace
// is on another worker is refused at once.
func (a *Activities) RunStep(ctx context.Context, req steps.StepRequest) (steps.StepResponse, error) {
	if !a.holds(req.Promotion.WorkDir) {
		return steps.StepResponse{}, temporal.NewNonRetryableApplicationError(
			"workspace "+req.Promotion.WorkDir+" is on another worker", ErrTypeWorkspaceElsewhere, nil)
	}
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

// holds reports whether a workspace directory belongs to this worker.
func (a *Activities) holds(dir string) bool {
	return a.WorkRoot != "" && strings.HasPrefix(filepath.Clean(dir), filepath.Clean(a.WorkRoot)+string(filepath.Separator))
}
