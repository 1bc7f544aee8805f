package workflows

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/activities"
)

// batchedRun is a step's run in a batch: its response and its time on the
// worker.
type batchedRun struct {
	resp railyard.StepResponse
	took time.Duration
}

// runBatch runs the steps from req's on in one activity (activities'
// RunSteps) for as long as each ends Succeeded or Skipped, and records
// each that ended. The step the batch stopped at, if it did not end, is
// returned as pending: runStep takes it over from that first run (polling
// a Running step, retrying an Errored one). A batch that failed as a whole
// is its first step Errored. A lost worker and a cancel are errors, as in
// runStep.
func (st *PromotionStatus) runBatch(ctx workflow.Context, ws activities.Workspace, steps []railyard.PromotionStep,
	req railyard.StepRequest, env summaryEnv, record func(railyard.StepRecord, railyard.StepResponse)) (*batchedRun, error) {
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** steps %d–%d/%d: %s", st.Stage, req.Index+1, len(steps), len(steps),
		batchUses(steps[req.Index:])))
	req.StartedAt = workflow.Now(ctx)
	var out railyard.StepBatchResponse
	err := runBatchOnce(ctx, ws, railyard.StepBatch{First: req, Steps: steps}, batchSummary(steps[req.Index:], env), &out)
	switch {
	case workerLost(err):
		return nil, errWorkerLost
	case err != nil && ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return &batchedRun{resp: railyard.StepResponse{Alias: req.Alias, Status: railyard.StepErrored, Message: errorMessage(err)}}, nil
	case len(out.Responses) == 0:
		return &batchedRun{resp: railyard.StepResponse{Alias: req.Alias, Status: railyard.StepErrored, Message: "the worker ran no step"}}, nil
	}
	for k, resp := range out.Responses {
		var took time.Duration
		if k < len(out.Durations) {
			took = out.Durations[k]
		}
		if !resp.Ended() {
			return &batchedRun{resp: resp, took: took}, nil
		}
		record(req.Record(resp, took), resp)
		next, ok := req.Next(resp, steps, req.StartedAt)
		if !ok {
			break
		}
		req = next
	}
	return nil, nil
}

// runBatchOnce sends the batch to the workflow's own queue first, and to
// the queue of the worker holding the workspace when refused (as runOnce).
// Its timeout is the sum of its steps' (runStep's default for each without).
func runBatchOnce(ctx workflow.Context, ws activities.Workspace, b railyard.StepBatch, summary string, out *railyard.StepBatchResponse) error {
	var a *activities.Activities
	var timeout time.Duration
	for _, s := range b.Steps[b.First.Index:] {
		timeout += cmp.Or(railyard.StepTimeout(s), defaultStepTimeout)
	}
	err := workflow.ExecuteActivity(stepOptions(ctx, workflow.GetInfo(ctx).TaskQueueName, summary, timeout), a.RunSteps, b).Get(ctx, out)
	if elsewhere(err) {
		err = workflow.ExecuteActivity(stepOptions(ctx, ws.TaskQueue, summary, timeout), a.RunSteps, b).Get(ctx, out)
	}
	return err
}

// batchUses lists the steps' kinds, for the current details.
func batchUses(steps []railyard.PromotionStep) string {
	uses := make([]string, len(steps))
	for i, s := range steps {
		uses[i] = s.Uses
	}
	return strings.Join(uses, ", ")
}

// batchSummary is the batch activity's summary: its first step's, and how
// many may follow it.
func batchSummary(steps []railyard.PromotionStep, env summaryEnv) string {
	s := stepSummary(steps[0], env)
	if len(steps) > 1 {
		s = truncate(fmt.Sprintf("%s (+ %d steps: %s)", s, len(steps)-1, batchUses(steps[1:])), 160)
	}
	return s
}
