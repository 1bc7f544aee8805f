package activities

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/railyard/railyard"
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
	stop, _ := keepAlive(ctx)
	defer stop()
	return a.Steps.Run(creds.WithProject(ctx, req.Promotion.Project), req)
}

// RunSteps runs a batch of promotion steps in the promotion's workspace on
// this worker: the first, then each next one (railyard.StepRequest.Next)
// for as long as the one before ended Succeeded or Skipped. The workflow
// records every response as if it had run the steps one by one; a cancel
// requested by the workflow aborts the running step and ends the batch.
func (a *Activities) RunSteps(ctx context.Context, b railyard.StepBatch) (railyard.StepBatchResponse, error) {
	if !a.holds(b.First.Promotion.WorkDir) {
		return railyard.StepBatchResponse{}, temporal.NewNonRetryableApplicationError(
			"workspace "+b.First.Promotion.WorkDir+" is on another worker", ErrTypeWorkspaceElsewhere, nil)
	}
	stop, progress := keepAlive(ctx)
	defer stop()
	ctx = creds.WithProject(ctx, b.First.Promotion.Project)
	var out railyard.StepBatchResponse
	for req, ok := b.First, true; ok && ctx.Err() == nil; {
		progress(fmt.Sprintf("step %d/%d: %s", req.Index+1, len(b.Steps), req.Step.Uses))
		start := time.Now()
		resp, err := a.Steps.Run(ctx, req)
		if err != nil {
			return out, err
		}
		out.Responses = append(out.Responses, resp)
		out.Durations = append(out.Durations, time.Since(start))
		req, ok = req.Next(resp, b.Steps, time.Now())
	}
	return out, nil
}

// keepAlive heartbeats until stopped; a cancellation requested by the
// workflow reaches ctx through the heartbeat's answer. Each heartbeat
// carries the latest progress set (a batch's current step), which the Web
// UI shows as the pending activity's heartbeat details.
func keepAlive(ctx context.Context) (stop func(), progress func(string)) {
	done := make(chan struct{})
	var current atomic.Value
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
				if p, ok := current.Load().(string); ok {
					activity.RecordHeartbeat(ctx, p)
				} else {
					activity.RecordHeartbeat(ctx)
				}
			}
		}
	}()
	return func() { close(done) }, func(p string) { current.Store(p) }
}

// holds reports whether a workspace directory belongs to this worker.
func (a *Activities) holds(dir string) bool {
	return a.WorkRoot != "" && strings.HasPrefix(filepath.Clean(dir), filepath.Clean(a.WorkRoot)+string(filepath.Separator))
}
